import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export type DirectoryType = "google";
export type DirectoryCredential = "service_account" | "oauth";

/** Non-secret settings of a directory connection (the key / refresh token live only encrypted). */
export interface DirectoryConfig {
  credential: DirectoryCredential;
  /** Workspace admin the service account acts as (JWT `sub`), or the admin who consented. */
  adminEmail: string;
  serviceAccountEmail?: string;
  privateKeyId?: string;
  tokenUri?: string;
  /** Directory API root; https://admin.googleapis.com unless set (emulators and tests). */
  apiRoot?: string;
  /** Empty: every user of the customer. */
  orgUnits: string[];
  /** Non-empty: only (transitive) members of these groups, by email. */
  groups: string[];
}

/**
 * A pull connection to an org's directory (Google Workspace). One per org. The lease columns let
 * exactly one Roster instance run its sync at a time (directory/lease.ts).
 */
@Entity({ name: "directories" })
export class Directory {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 20 }) type: DirectoryType;
  @Column({ type: "jsonb" }) config: DirectoryConfig;
  @Column({ type: "text", name: "secret_encrypted" }) secretEncrypted: string;
  @Column({ type: "integer", name: "interval_minutes", default: 15 }) intervalMinutes: number;
  @Column({ type: "timestamptz", name: "next_sync_at" }) nextSyncAt: Date;
  @Column({ type: "varchar", length: 100, name: "lease_owner", nullable: true }) leaseOwner: string | null;
  @Column({ type: "timestamptz", name: "lease_expires_at", nullable: true }) leaseExpiresAt: Date | null;
  @Column({ type: "uuid", name: "last_sync_id", nullable: true }) lastSyncId: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
