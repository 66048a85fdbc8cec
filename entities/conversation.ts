import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export type ConversationStatus = "queued" | "assigned" | "closed";

@Entity({ name: "conversations" })
export class Conversation {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "uuid", name: "chatbot_id" }) chatbotId: string;
  @Column({ type: "varchar", length: 500 }) subject: string;
  /** ON DELETE SET NULL; the member service also sets status back to queued in the same transaction. */
  @Column({ type: "uuid", name: "assignee_membership_id", nullable: true }) assigneeMembershipId: string | null;
  @Column({ type: "varchar", length: 20, default: "queued" }) status: ConversationStatus;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
