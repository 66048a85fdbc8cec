import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The whole data model. Constraints live here, in the database:
 * - case-insensitive uniqueness of emails, SCIM userNames and group names (unique indexes on lower()),
 * - one pending invitation per (org, lower(email)) (partial unique index),
 * - ON DELETE chosen per relation: org deletion cascades; removing a membership drops its grants
 *   and group rows and unassigns its conversations; audit events reference nobody by key.
 */
export class Initial1764320000000 implements MigrationInterface {
  name = "Initial1764320000000";

  async up(q: QueryRunner): Promise<void> {
    // gen_random_uuid() is core since PostgreSQL 13 (and in PGlite): no extension needed.
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        plan varchar(20) NOT NULL CHECK (plan IN ('free','pro','enterprise')),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320) NOT NULL,
        name varchar(200),
        password_hash varchar(255),
        email_verified boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
    await q.query(`
      CREATE TABLE memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(20) NOT NULL CHECK (role IN ('owner','admin','member')),
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended')),
        source varchar(20) NOT NULL CHECK (source IN ('invite','scim','sso')),
        last_active_at timestamptz,
        scim_role varchar(20) CHECK (scim_role IN ('owner','admin','member')),
        scim_user_name varchar(320),
        external_id varchar(255),
        scim_attributes jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_org_user_key UNIQUE (org_id, user_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX memberships_org_scim_user_name_key ON memberships (org_id, lower(scim_user_name)) WHERE scim_user_name IS NOT NULL`);
    await q.query(`CREATE INDEX memberships_org_external_id_idx ON memberships (org_id, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);
    await q.query(`CREATE INDEX memberships_org_created_idx ON memberships (org_id, created_at, id)`);
    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        email varchar(320) NOT NULL,
        role varchar(20) NOT NULL CHECK (role IN ('owner','admin','member')),
        token_hash varchar(64) NOT NULL UNIQUE,
        previous_token_hashes varchar(64)[] NOT NULL DEFAULT '{}',
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        accepted_at timestamptz,
        send_count integer NOT NULL DEFAULT 1,
        last_sent_at timestamptz NOT NULL,
        invited_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        invited_by_name varchar(200),
        invited_by_email varchar(320),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX invitations_one_pending_key ON invitations (org_id, lower(email)) WHERE accepted_at IS NULL AND revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE chatbots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX chatbots_org_idx ON chatbots (org_id)`);
    await q.query(`
      CREATE TABLE chatbot_permissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        chatbot_id uuid NOT NULL REFERENCES chatbots(id) ON DELETE CASCADE,
        membership_id uuid REFERENCES memberships(id) ON DELETE CASCADE,
        invitation_id uuid REFERENCES invitations(id) ON DELETE CASCADE,
        access varchar(10) NOT NULL CHECK (access IN ('view','reply','manage')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chatbot_permissions_one_holder CHECK ((membership_id IS NULL) <> (invitation_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX chatbot_permissions_membership_key ON chatbot_permissions (membership_id, chatbot_id) WHERE membership_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX chatbot_permissions_invitation_key ON chatbot_permissions (invitation_id, chatbot_id) WHERE invitation_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        chatbot_id uuid NOT NULL REFERENCES chatbots(id) ON DELETE CASCADE,
        subject varchar(500) NOT NULL,
        assignee_membership_id uuid REFERENCES memberships(id) ON DELETE SET NULL,
        status varchar(20) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','assigned','closed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conversations_org_status_idx ON conversations (org_id, status, created_at)`);
    await q.query(`CREATE INDEX conversations_assignee_idx ON conversations (assignee_membership_id) WHERE assignee_membership_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
        action varchar(80) NOT NULL,
        actor jsonb NOT NULL,
        target jsonb,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        ip varchar(64),
        request_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX audit_events_org_created_idx ON audit_events (org_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE email_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid REFERENCES organizations(id) ON DELETE SET NULL,
        to_address varchar(320) NOT NULL,
        subject varchar(300) NOT NULL,
        body_text text NOT NULL,
        body_html text NOT NULL,
        kind varchar(40) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX email_messages_due_idx ON email_messages (next_attempt_at) WHERE status IN ('pending','sending')`);
    await q.query(`CREATE INDEX email_messages_created_idx ON email_messages (created_at DESC)`);
    await q.query(`
      CREATE TABLE scim_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        token_hash varchar(64) NOT NULL UNIQUE,
        prefix varchar(20) NOT NULL,
        created_by_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX scim_tokens_org_idx ON scim_tokens (org_id)`);
    await q.query(`
      CREATE TABLE scim_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        display_name varchar(255) NOT NULL,
        external_id varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX scim_groups_org_display_name_key ON scim_groups (org_id, lower(display_name))`);
    await q.query(`
      CREATE TABLE scim_group_members (
        group_id uuid NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
        membership_id uuid NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, membership_id)
      )`);
    await q.query(`CREATE INDEX scim_group_members_membership_idx ON scim_group_members (membership_id)`);
    await q.query(`
      CREATE TABLE group_role_mappings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        group_name varchar(255) NOT NULL,
        role varchar(20) NOT NULL CHECK (role IN ('owner','admin','member')),
        chatbot_permissions jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX group_role_mappings_org_group_key ON group_role_mappings (org_id, lower(group_name))`);
    await q.query(`
      CREATE TABLE sso_connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        kind varchar(10) NOT NULL CHECK (kind IN ('saml','oidc')),
        name varchar(200) NOT NULL DEFAULT '',
        enabled boolean NOT NULL DEFAULT true,
        config jsonb NOT NULL DEFAULT '{}'::jsonb,
        secret_encrypted text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sso_connections_org_idx ON sso_connections (org_id)`);
    await q.query(`
      CREATE TABLE org_domains (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        domain varchar(253) NOT NULL,
        verification_token varchar(100) NOT NULL,
        verified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT org_domains_org_domain_key UNIQUE (org_id, domain)
      )`);
    await q.query(`CREATE UNIQUE INDEX org_domains_verified_key ON org_domains (domain) WHERE verified_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE user_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        subject varchar(512) NOT NULL,
        email varchar(320),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        CONSTRAINT user_identities_connection_subject_key UNIQUE (connection_id, subject)
      )`);
    await q.query(`
      CREATE TABLE sso_transactions (
        id varchar(128) PRIMARY KEY,
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE saml_assertions (
        connection_id uuid NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        assertion_id varchar(256) NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (connection_id, assertion_id)
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id_hash varchar(64) PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token varchar(64) NOT NULL,
        auth_method varchar(64) NOT NULL DEFAULT 'password',
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      "sessions", "saml_assertions", "sso_transactions", "user_identities", "org_domains", "sso_connections",
      "group_role_mappings", "scim_group_members", "scim_groups", "scim_tokens", "email_messages",
      "audit_events", "conversations", "chatbot_permissions", "chatbots", "invitations", "memberships",
      "users", "organizations",
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
