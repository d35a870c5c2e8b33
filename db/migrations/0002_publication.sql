CREATE TYPE "public"."moderation_verdict" AS ENUM('approve', 'reject', 'request_changes');--> statement-breakpoint
CREATE TYPE "public"."version_standing" AS ENUM('published', 'superseded', 'retracted');--> statement-breakpoint
ALTER TYPE "public"."annotation_status" ADD VALUE 'changes_requested';--> statement-breakpoint
ALTER TYPE "public"."annotation_status" ADD VALUE 'rejected';--> statement-breakpoint
ALTER TYPE "public"."annotation_status" ADD VALUE 'published';--> statement-breakpoint
ALTER TYPE "public"."annotation_status" ADD VALUE 'retracted';--> statement-breakpoint
CREATE TABLE "annotation_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"reporter_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"resolution" text,
	CONSTRAINT "annotation_reports_reason_length" CHECK (char_length("annotation_reports"."reason") between 1 and 2000)
);
--> statement-breakpoint
CREATE TABLE "annotation_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"annotation_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"actor_id" uuid,
	"actor_name" text NOT NULL,
	"from_status" "annotation_status",
	"to_status" "annotation_status" NOT NULL,
	"version_number" integer,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "annotation_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"annotation_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"parent_id" uuid,
	"document_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"edition_id" uuid NOT NULL,
	"motivation" "annotation_motivation" NOT NULL,
	"body" text NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"author_id" uuid,
	"author_name" text NOT NULL,
	"exact" text,
	"prefix" text,
	"suffix" text,
	"start_offset" integer,
	"end_offset" integer,
	"annotation_created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"standing" "version_standing" DEFAULT 'published' NOT NULL,
	"superseded_by" integer,
	"retracted_at" timestamp with time zone,
	"retraction_notice" text
);
--> statement-breakpoint
CREATE TABLE "editions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"content_hash" text NOT NULL,
	"content" jsonb NOT NULL,
	"plain_text" text NOT NULL,
	"word_count" integer NOT NULL,
	"yjs_state" "bytea" NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"annotation_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"moderator_id" uuid NOT NULL,
	"verdict" "moderation_verdict" NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "requires_approval" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "approval_quorum" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "annotations" ADD COLUMN "submission_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "annotation_reports" ADD CONSTRAINT "annotation_reports_version_id_annotation_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."annotation_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_reports" ADD CONSTRAINT "annotation_reports_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_reports" ADD CONSTRAINT "annotation_reports_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_versions" ADD CONSTRAINT "annotation_versions_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_versions" ADD CONSTRAINT "annotation_versions_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_versions" ADD CONSTRAINT "annotation_versions_edition_id_editions_id_fk" FOREIGN KEY ("edition_id") REFERENCES "public"."editions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_versions" ADD CONSTRAINT "annotation_versions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "editions" ADD CONSTRAINT "editions_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "editions" ADD CONSTRAINT "editions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decisions" ADD CONSTRAINT "moderation_decisions_annotation_id_annotations_id_fk" FOREIGN KEY ("annotation_id") REFERENCES "public"."annotations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_decisions" ADD CONSTRAINT "moderation_decisions_moderator_id_users_id_fk" FOREIGN KEY ("moderator_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotation_reports_group_open_idx" ON "annotation_reports" USING btree ("group_id","resolved_at");--> statement-breakpoint
CREATE INDEX "annotation_reports_reporter_idx" ON "annotation_reports" USING btree ("reporter_key","created_at");--> statement-breakpoint
CREATE INDEX "annotation_transitions_annotation_idx" ON "annotation_transitions" USING btree ("annotation_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "annotation_versions_number_key" ON "annotation_versions" USING btree ("annotation_id","number");--> statement-breakpoint
CREATE INDEX "annotation_versions_edition_idx" ON "annotation_versions" USING btree ("edition_id");--> statement-breakpoint
CREATE INDEX "annotation_versions_group_published_idx" ON "annotation_versions" USING btree ("group_id","published_at");--> statement-breakpoint
CREATE INDEX "annotation_versions_document_published_idx" ON "annotation_versions" USING btree ("document_id","published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "editions_document_number_key" ON "editions" USING btree ("document_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "moderation_decisions_one_per_round" ON "moderation_decisions" USING btree ("annotation_id","round","moderator_id");--> statement-breakpoint
ALTER TABLE "groups" ADD CONSTRAINT "groups_quorum_range" CHECK ("groups"."approval_quorum" between 1 and 10);--> statement-breakpoint
-- The audit log is append-only and editions are immutable: refused here, in the database, whatever the application does.
CREATE FUNCTION "scholion_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "annotation_transitions_append_only" BEFORE UPDATE OR DELETE ON "annotation_transitions" FOR EACH ROW EXECUTE FUNCTION "scholion_refuse_change"();--> statement-breakpoint
CREATE TRIGGER "editions_immutable" BEFORE UPDATE ON "editions" FOR EACH ROW EXECUTE FUNCTION "scholion_refuse_change"();--> statement-breakpoint
-- A published version's content and selectors never change; only its standing (superseded, retracted) may.
CREATE FUNCTION "scholion_version_content_fixed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.annotation_id, NEW.number, NEW.edition_id, NEW.motivation, NEW.body, NEW.tags, NEW.author_name, NEW.exact, NEW.prefix, NEW.suffix, NEW.start_offset, NEW.end_offset, NEW.published_at)
		IS DISTINCT FROM
		(OLD.annotation_id, OLD.number, OLD.edition_id, OLD.motivation, OLD.body, OLD.tags, OLD.author_name, OLD.exact, OLD.prefix, OLD.suffix, OLD.start_offset, OLD.end_offset, OLD.published_at)
	THEN
		RAISE EXCEPTION 'a published annotation version is immutable';
	END IF;
	RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "annotation_versions_content_fixed" BEFORE UPDATE ON "annotation_versions" FOR EACH ROW EXECUTE FUNCTION "scholion_version_content_fixed"();
