import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export const CHATBOT_ACCESS = ["view", "reply", "manage"] as const;
export type ChatbotAccess = (typeof CHATBOT_ACCESS)[number];

/** A grant on one chatbot, held by a membership or by an invitation (exactly one: CHECK in the migration). */
@Entity({ name: "chatbot_permissions" })
export class ChatbotPermission {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "uuid", name: "chatbot_id" }) chatbotId: string;
  @Column({ type: "uuid", name: "membership_id", nullable: true }) membershipId: string | null;
  @Column({ type: "uuid", name: "invitation_id", nullable: true }) invitationId: string | null;
  @Column({ type: "varchar", length: 10 }) access: ChatbotAccess;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
