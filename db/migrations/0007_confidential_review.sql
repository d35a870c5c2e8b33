CREATE TYPE "public"."identity_mode" AS ENUM('named', 'anonymous_public', 'anonymous');--> statement-breakpoint
CREATE TYPE "public"."published_audience" AS ENUM('public', 'members', 'none');--> statement-breakpoint
CREATE TYPE "public"."submission_cadence" AS ENUM('each', 'hourly', 'daily');--> statement-breakpoint
ALTER TYPE "public"."annotation_status" ADD VALUE 'accepted';--> statement-breakpoint
ALTER TYPE "public"."moderation_verdict" ADD VALUE 'override';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'submission_summary';--> statement-breakpoint
CREATE TABLE "document_pseudonyms" (
	"document_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_pseudonyms_document_id_user_id_pk" PRIMARY KEY("document_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "submission_notice_settings" (
	"user_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"cadence" "submission_cadence" NOT NULL,
	"summarised_through" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "submission_notice_settings_user_id_group_id_pk" PRIMARY KEY("user_id","group_id")
);
--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "annotation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "published_audience" "published_audience" DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "groups" ADD COLUMN "identity_mode" "identity_mode" DEFAULT 'named' NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "published_audience" "published_audience";--> statement-breakpoint
ALTER TABLE "annotation_versions" ADD COLUMN "author_anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "document_pseudonyms" ADD CONSTRAINT "document_pseudonyms_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_notice_settings" ADD CONSTRAINT "submission_notice_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_notice_settings" ADD CONSTRAINT "submission_notice_settings_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "document_pseudonyms_number_key" ON "document_pseudonyms" USING btree ("document_id","number");--> statement-breakpoint
ALTER TABLE "document_pseudonyms" ADD CONSTRAINT "document_pseudonyms_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Existing groups take their kind's default audience: a board's decisions and a seminar's names stop being public.
UPDATE "groups" SET "published_audience" = CASE "kind" WHEN 'editorial_board' THEN 'none'::"published_audience" WHEN 'seminar' THEN 'members'::"published_audience" ELSE 'public'::"published_audience" END;
