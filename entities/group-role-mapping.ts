import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import type { Role } from "./membership";
import type { ChatbotAccess } from "./chatbot-permission";

/**
 * Group name → role (and optional chatbot grants), per org. Keyed by display name rather than
 * by group id so that a mapping can exist before the IdP pushes the group, and so that SAML/OIDC
 * group claims map through the same table.
 */
@Entity({ name: "group_role_mappings" })
export class GroupRoleMapping {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "org_id" }) orgId: string;
  @Column({ type: "varchar", length: 255, name: "group_name" }) groupName: string;
  @Column({ type: "varchar", length: 20 }) role: Role;
  @Column({ type: "jsonb", name: "chatbot_permissions", default: () => "'[]'::jsonb" })
  chatbotPermissions: Array<{ chatbotId: string; access: ChatbotAccess }>;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
