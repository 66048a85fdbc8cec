import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export type ActorType = "user" | "scim" | "sso" | "system";

/** Snapshot of who acted or was acted on, as they were then: no foreign key, so it outlives them. */
export interface PartySnapshot {
  type: string;
  id?: string | null;
  email?: string | null;
  name?: string | null;
}

@Entity({ name: "audit_events" })
export class AuditEvent {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id", nullable: true }) orgId: string | null;
  @Column({ type: "varchar", length: 80 }) action: string;
  @Column({ type: "jsonb" }) actor: PartySnapshot;
  @Column({ type: "jsonb", nullable: true }) target: PartySnapshot | null;
  @Column({ type: "jsonb", default: () => "'{}'::jsonb" }) metadata: Record<string, unknown>;
  @Column({ type: "varchar", length: 64, nullable: true }) ip: string | null;
  @Column({ type: "varchar", length: 64, name: "request_id", nullable: true }) requestId: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
