import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

export const PLANS = ["free", "pro", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** Org-wide switches; kept as jsonb so new ones need no migration. */
export interface OrgSettings {
  /** Password sign-in refused for members (Owners keep break-glass). */
  requireSso?: boolean;
  /**
   * SCIM/directory may grant, take away, suspend or remove the Owner role (only through a token
   * or directory an Owner created). Off by default: an IdP never speaks for an Owner.
   */
  idpManagedOwners?: boolean;
}

@Entity({ name: "organizations" })
export class Organization {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "varchar", length: 200 }) name: string;
  @Column({ type: "varchar", length: 20 }) plan: Plan;
  @Column({ type: "jsonb", default: () => "'{}'::jsonb" }) settings: OrgSettings;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
