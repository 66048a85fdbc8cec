import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** An IdP identity linked to an account: (connection, subject) is unique; later sign-ins use it, never the email. */
@Entity({ name: "user_identities" })
export class UserIdentity {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "user_id" }) userId: string;
  @Column({ type: "uuid", name: "connection_id" }) connectionId: string;
  @Column({ type: "varchar", length: 512 }) subject: string;
  @Column({ type: "varchar", length: 320, nullable: true }) email: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "last_login_at", nullable: true }) lastLoginAt: Date | null;
}
