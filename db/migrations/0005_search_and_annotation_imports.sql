CREATE TYPE "public"."annotation_import_status" AS ENUM('placing', 'done', 'failed');--> statement-breakpoint
CREATE TABLE "annotation_search" (
	"annotation_id" uuid PRIMARY KEY NOT NULL,
	"language" "regconfig" NOT NULL,
	"search" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_search" (
	"document_id" uuid PRIMARY KEY NOT NULL,
	"language" "regconfig" DEFAULT 'english'::regconfig NOT NULL,
	"plain_text" text NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector("language", "plain_text"), 'D')) STORED NOT NULL,
	"indexed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "edition_search" (
	"edition_id" uuid PRIMARY KEY NOT NULL,
	"language" "regconfig" NOT NULL,
	"search" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "published_search" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"language" "regconfig" NOT NULL,
	"search" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "annotation_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"document_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"format" text NOT NULL,
	"file_name" text,
	"status" "annotation_import_status" DEFAULT 'placing' NOT NULL,
	"total" integer NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"summary" jsonb,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "annotation_search" ADD CONSTRAINT "annotation_search_annotation_id_annotations_id_fk" FOREIGN KEY ("annotation_id") REFERENCES "public"."annotations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_search" ADD CONSTRAINT "document_search_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "edition_search" ADD CONSTRAINT "edition_search_edition_id_editions_id_fk" FOREIGN KEY ("edition_id") REFERENCES "public"."editions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "published_search" ADD CONSTRAINT "published_search_version_id_annotation_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."annotation_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_imports" ADD CONSTRAINT "annotation_imports_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "annotation_imports" ADD CONSTRAINT "annotation_imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "annotation_search_idx" ON "annotation_search" USING gin ("search");--> statement-breakpoint
CREATE INDEX "document_search_idx" ON "document_search" USING gin ("search");--> statement-breakpoint
CREATE INDEX "edition_search_idx" ON "edition_search" USING gin ("search");--> statement-breakpoint
CREATE INDEX "published_search_idx" ON "published_search" USING gin ("search");--> statement-breakpoint
CREATE INDEX "annotation_imports_document_idx" ON "annotation_imports" USING btree ("document_id","created_at");--> statement-breakpoint
-- Search (db/schema/search.ts): Markdown as the words a reader sees, for snippets.
CREATE FUNCTION "scholion_markdown_text"(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(
		regexp_replace(
			regexp_replace(body, '!?\[([^\]]*)\]\([^)]*\)', '\1', 'g'),
			'^[ ]{0,3}(#{1,6}|>)[ ]*', '', 'gn'),
		'(\*\*|__|~~|`+|\*)', '', 'g')
$$;--> statement-breakpoint
-- An annotation's words, weighted: body above tags above the quote it is on.
CREATE FUNCTION "scholion_annotation_tsvector"(config regconfig, body text, tags text[], quote text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT setweight(to_tsvector(config, coalesce(body, '')), 'A')
		|| setweight(to_tsvector(config, coalesce(array_to_string(tags, ' '), '')), 'B')
		|| setweight(to_tsvector(config, coalesce(quote, '')), 'C')
$$;--> statement-breakpoint
-- The configuration of a document's language ('english' until its text is indexed).
CREATE FUNCTION "scholion_document_language"(document uuid) RETURNS regconfig LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT "language" FROM "document_search" WHERE "document_id" = document), 'english'::regconfig)
$$;--> statement-breakpoint
CREATE FUNCTION "scholion_index_annotation"(annotation uuid) RETURNS void LANGUAGE sql AS $$
	INSERT INTO "annotation_search" ("annotation_id", "language", "search")
	SELECT a."id", l.config, scholion_annotation_tsvector(l.config, a."body", a."tags", an."exact")
	FROM "annotations" a
	LEFT JOIN "annotation_anchors" an ON an."annotation_id" = a."id"
	CROSS JOIN LATERAL (SELECT scholion_document_language(a."document_id") AS config) l
	WHERE a."id" = annotation
	ON CONFLICT ("annotation_id") DO UPDATE SET "language" = excluded."language", "search" = excluded."search"
$$;--> statement-breakpoint
CREATE FUNCTION "scholion_annotation_search_trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM scholion_index_annotation(NEW."annotation_id");
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION "scholion_annotation_row_search_trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM scholion_index_annotation(NEW."id");
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "annotations_search" AFTER INSERT OR UPDATE OF "body", "tags" ON "annotations" FOR EACH ROW EXECUTE FUNCTION "scholion_annotation_row_search_trigger"();--> statement-breakpoint
CREATE TRIGGER "annotation_anchors_search" AFTER INSERT OR UPDATE OF "exact" ON "annotation_anchors" FOR EACH ROW EXECUTE FUNCTION "scholion_annotation_search_trigger"();--> statement-breakpoint
CREATE FUNCTION "scholion_version_search_trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE config regconfig := scholion_document_language(NEW."document_id");
BEGIN
	INSERT INTO "published_search" ("version_id", "language", "search")
	VALUES (NEW."id", config, scholion_annotation_tsvector(config, NEW."body", NEW."tags", NEW."exact"));
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "annotation_versions_search" AFTER INSERT ON "annotation_versions" FOR EACH ROW EXECUTE FUNCTION "scholion_version_search_trigger"();--> statement-breakpoint
CREATE FUNCTION "scholion_edition_search_trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE config regconfig := scholion_document_language(NEW."document_id");
BEGIN
	INSERT INTO "edition_search" ("edition_id", "language", "search")
	VALUES (NEW."id", config, setweight(to_tsvector(config, NEW."plain_text"), 'D'));
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "editions_search" AFTER INSERT ON "editions" FOR EACH ROW EXECUTE FUNCTION "scholion_edition_search_trigger"();--> statement-breakpoint
-- What existed before search did.
SELECT scholion_index_annotation("id") FROM "annotations";--> statement-breakpoint
INSERT INTO "published_search" ("version_id", "language", "search")
	SELECT "id", 'english', scholion_annotation_tsvector('english', "body", "tags", "exact") FROM "annotation_versions";--> statement-breakpoint
INSERT INTO "edition_search" ("edition_id", "language", "search")
	SELECT "id", 'english', setweight(to_tsvector('english', "plain_text"), 'D') FROM "editions";
