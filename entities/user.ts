import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

/** A person's account. Email is unique case-insensitively (index on lower(email) in the migration). */
@Entity({ name: "users" })
export class User {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "varchar", length: 320 }) email: string;
  @Column({ type: "varchar", length: 200, nullable: true }) name: string | null;
  @Column({ type: "varchar", length: 255, name: "password_hash", nullable: true }) passwordHash: string | null;
  @Column({ type: "boolean", name: "email_verified", default: false }) emailVerified: boolean;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
