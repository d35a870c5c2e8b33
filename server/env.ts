import { z } from 'zod'

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
	/** Seed the demo on an embedded database's first start (set to 0 to start empty). */
	SEED_DEMO: z
		.enum(['0', '1', 'true', 'false'])
		.default('1')
		.transform((v) => v === '1' || v === 'true'),
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
