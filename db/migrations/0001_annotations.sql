CREATE TYPE "public"."anchor_status" AS ENUM('exact', 'fuzzy', 'orphaned');--> statement-breakpoint
CREATE TYPE "public"."annotation_motivation" AS ENUM('commenting', 'questioning', 'assessing', 'tagging', 'linking', 'highlighting', 'editing');--> statement-breakpoint
CREATE TYPE "public"."annotation_status" AS ENUM('draft', 'submitted');--> statement-breakpoint
CREATE TABLE "annotation_anchors" (
	"annotation_id" uuid PRIMARY KEY NOT NULL,
	"document_id" uuid NOT NULL,
	"start_position" "bytea" NOT NULL,
	"end_position" "bytea" NOT NULL,
	"exact" text NOT NULL,
	"prefix" text NOT NULL,
	"suffix" text NOT NULL,
	"start_offset" integer NOT NULL,
	"end_offset" integer NOT NULL,
	"status" "anchor_status" DEFAULT 'exact' NOT NULL,
	"confidence" real DEFAULT 1 NOT NULL,
	"suggested_exact" text,
	"suggested_start_offset" integer,
	"suggested_end_offset" integer,
	"suggested_confidence" real,
	"placed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "annotation_anchors_range" CHECK ("annotation_anchors"."end_offset" > "annotation_anchors"."start_offset")
);
--> statement-breakpoint
CREATE TABLE "annotations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"creator_id" uuid,
	"parent_id" uuid,
	"motivation" "annotation_motivation" DEFAULT 'commenting' NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "annotation_status" DEFAULT 'submitted' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "endorsements" (
	"annotation_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "endorsements_annotation_id_user_id_pk" PRIMARY KEY("annotation_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "annotation_anchors" ADD CONSTRAINT "annotation_anchors_annotation_id_annotations_id_fk" FOREIGN KEY ("annotation_id") REFERENCES "public"."annotations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_anchors" ADD CONSTRAINT "annotation_anchors_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_group_id_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_creator_id_users_id_fk" FOREIGN KEY ("creator_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotations" ADD CONSTRAINT "annotations_parent_id_annotations_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."annotations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "endorsements" ADD CONSTRAINT "endorsements_annotation_id_annotations_id_fk" FOREIGN KEY ("annotation_id") REFERENCES "public"."annotations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "endorsements" ADD CONSTRAINT "endorsements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotation_anchors_document_idx" ON "annotation_anchors" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "annotations_document_idx" ON "annotations" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "annotations_parent_idx" ON "annotations" USING btree ("parent_id");