import { z } from 'zod'
import { defaultImportLimits } from './import/limits.ts'
import { defaultAnnotationImportQuota } from './annotations/import-quota.ts'

/**
 * The one reader of process.env. Every setting the server understands is
 * listed here with its default; anything invalid stops the start with a
 * message naming the variable.
 */
const envSchema = z.object({
	NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().min(1).default('127.0.0.1'),
	/** A postgres:// URL; unset means the embedded PGlite under DATA_DIR. */
	DATABASE_URL: z
		.string()
		.url()
		.refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL')
		.optional(),
	/** Where the embedded database keeps its files. */
	DATA_DIR: z.string().min(1).default('./data'),
	/**
	 * The collaboration journal, a file that must outlive the process (edits reach
	 * other clients before their commit; a restart stores what it holds). Default
	 * DATA_DIR/collab-journal-PORT.bin; each server process needs its own. 'off'
	 * makes edits wait for their commit before anyone sees them.
	 */
	COLLAB_JOURNAL: z.string().min(1).optional(),
	/** Set to share live documents between several server processes. */
	REDIS_URL: z.string().url().optional(),
	/** Largest WebSocket frame accepted on /collab, in bytes. */
	COLLAB_MAX_FRAME_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
	/** Sustained messages per second one collaboration socket may send. */
	COLLAB_MESSAGES_PER_SECOND: z.coerce.number().positive().default(200),
	/** How long the first edit of a batch waits for others before the batch is written to the database, in ms (default: see CollabOptions). */
	COLLAB_GROUP_COMMIT_MS: z.coerce.number().int().nonnegative().optional(),
	/** Keep an unused document in memory this long, in ms. */
	COLLAB_UNLOAD_AFTER_MS: z.coerce.number().int().nonnegative().default(10_000),
	/**
	 * The origin users reach the app at, such as https://scholion.example.org.
	 * When unset the origin is taken from each request's Host header.
	 */
	PUBLIC_ORIGIN: z
		.string()
		.url()
		.transform((u) => new URL(u).origin)
		.optional(),
	/** Largest document import accepted, in bytes. */
	MAX_IMPORT_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
	/** Most paragraphs, headings, list items and other blocks one imported document may have. */
	IMPORT_MAX_BLOCKS: z.coerce.number().int().positive().default(defaultImportLimits.maxBlocks),
	/** Most elements of markup (or Markdown tokens) one imported document may have. */
	IMPORT_MAX_ELEMENTS: z.coerce.number().int().positive().default(defaultImportLimits.maxElements),
	/** Deepest nesting of elements an import may have. */
	IMPORT_MAX_DEPTH: z.coerce.number().int().positive().default(defaultImportLimits.maxDepth),
	/** Most lines a plain-text or Markdown import may have. */
	IMPORT_MAX_LINES: z.coerce.number().int().positive().default(defaultImportLimits.maxLines),
	/** Longest one import may take to convert, in ms. */
	IMPORT_TIMEOUT_MS: z.coerce.number().int().positive().default(defaultImportLimits.timeoutMs),
	/** Heap of the import worker, in MB. */
	IMPORT_MAX_MEMORY_MB: z.coerce.number().int().min(16).default(defaultImportLimits.maxMemoryMb),
	/** Most annotations and replies one imported annotation file may create. */
	ANNOTATION_IMPORT_MAX_PER_FILE: z.coerce.number().int().positive().default(defaultAnnotationImportQuota.perImport),
	/** Most annotations (drafts and replies included) an annotation import may bring a document to. */
	ANNOTATION_IMPORT_MAX_PER_DOCUMENT: z.coerce.number().int().positive().default(defaultAnnotationImportQuota.perDocument),
	/**
	 * Largest body of a form or JSON request, in bytes (default 64 KiB); larger ones get 413
	 * before they are read. Imports take MAX_IMPORT_BYTES plus 64 KiB, the annotations API 256 KiB.
	 */
	MAX_FORM_BYTES: z.coerce.number().int().positive().default(64 * 1024),
	/** Send email through this SMTP server (smtp:// or smtps://, nodemailer's form); unset keeps every email in the outbox. */
	SMTP_URL: z
		.string()
		.url()
		.refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
		.optional(),
	/** The From of every email Scholion sends. */
	MAIL_FROM: z.string().min(3).default('Scholion <scholion@localhost>'),
	/** The hour (UTC) at which daily notification digests go out. */
	DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(7),
	/**
	 * Seed the demo (accounts with the README's shared password) on an embedded
	 * database's first start. Default: on in development, off in production,
	 * where `npm start` asks for it explicitly (SEED_DEMO=1 in package.json).
	 */
	SEED_DEMO: z
		.enum(['0', '1', 'true', 'false'])
		.transform((v) => v === '1' || v === 'true')
		.optional(),
	/**
	 * Which proxies in front of the server to believe about the client's
	 * address (X-Forwarded-For), for the login and sign-up limits: a hop count
	 * (`1`: the nearest proxy) or a comma-separated list of addresses, CIDRs
	 * and express's names (`loopback`, `uniquelocal`). Unset: none, the socket's
	 * address counts. Never `true`: anyone could then claim any address.
	 */
	TRUST_PROXY: z
		.string()
		.refine((v) => !/^(true|false)$/i.test(v.trim()), 'name the proxies (addresses or CIDRs) or give a hop count, not true/false')
		.transform((v): number | string[] =>
			/^\d+$/.test(v.trim())
				? Number(v.trim())
				: v
						.split(',')
						.map((part) => part.trim())
						.filter(Boolean),
		)
		.optional(),
})

export type Env = z.infer<typeof envSchema>

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
	const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''))
	const parsed = envSchema.safeParse(cleaned)
	if (!parsed.success) {
		const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
		throw new Error(`Invalid environment:\n${problems}`)
	}
	return parsed.data
}
