import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import type { Database } from '#db/client.ts'
import { createDocument } from '#db/queries/documents.ts'
import { createUser, findUserByEmail, normalizeEmail } from '#db/queries/accounts.ts'
import { documents, groups, memberships } from '#db/schema/index.ts'
import type { Role } from '#db/queries/groups.ts'
import { importDocument } from '#server/import/index.ts'
import { documentToYUpdate } from '#app/editor/yjs.ts'
import { colorForUser } from '#app/utils/colors.ts'
import { hashPassword } from '#app/utils/password.server.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Every demo account shares this password; it is printed at start and in the README. */
export const demoPassword = 'scholion-demo'

export const demoAccounts = [
	{ email: 'owner@scholion.test', name: 'Irena Novak', role: 'owner' },
	{ email: 'moderator@scholion.test', name: 'Tomás Reyes', role: 'moderator' },
	{ email: 'reviewer@scholion.test', name: 'Priya Raman', role: 'reviewer' },
	{ email: 'reader@scholion.test', name: 'Jonas Berg', role: 'reader' },
] as const satisfies readonly { email: string; name: string; role: Role }[]

// Fixed ids make the seed idempotent and give the demo stable URLs.
export const demoGroups = {
	seminar: {
		id: '5c1e0000-0000-4000-8000-000000000001',
		name: 'Sources seminar',
		kind: 'seminar',
		description:
			'We read contested sources closely: mark each claim, ask where it comes from, and separate evidence from assertion.',
		// A seminar keeps its published layer to its members by default; the demo opens it on purpose,
		// so that the public reader, feeds and search have something to show.
		publishedAudience: 'public',
	},
	board: {
		id: '5c1e0000-0000-4000-8000-000000000002',
		name: 'Editorial board',
		kind: 'editorial_board',
		description: 'Private review of manuscripts before the board decides which review annotations stand.',
		// A board's default: its decisions are recorded, nothing of the manuscript or its reviews is published.
		publishedAudience: 'none',
	},
} as const

export const demoDocuments = [
	{
		id: '5c1ed0c0-0000-4000-8000-000000000001',
		group: 'seminar',
		file: 'stalin-1924-1953.txt',
		title: 'Stalin, 1924 – 1953',
	},
	{
		id: '5c1ed0c0-0000-4000-8000-000000000002',
		group: 'seminar',
		file: 'on-stalin-parisar-2007.txt',
		title: 'On Stalin (Parisar, 2007)',
	},
	{
		id: '5c1ed0c0-0000-4000-8000-000000000003',
		group: 'board',
		file: 'stalin-1924-1953.txt',
		title: 'Manuscript under review: Stalin, 1924 – 1953',
	},
] as const

/**
 * Seeds the demo. Safe to run any number of times: existing accounts,
 * groups, memberships and documents are left exactly as they are.
 * Returns whether anything was created. With `published`, also the
 * published layer's demo (seeds/publication.ts): the start-up and
 * `npm run db:seed` ask for it; tests that need a bare demo do not.
 */
export async function seedDemo(db: Database, options: { published?: boolean } = {}): Promise<{ created: boolean }> {
	let created = false
	const passwordHash = await hashPassword(demoPassword)
	const userIds = new Map<string, string>()
	for (const account of demoAccounts) {
		const user =
			(await createUser(db, {
				email: account.email,
				name: account.name,
				passwordHash,
				color: colorForUser(normalizeEmail(account.email)),
			})) ?? (await findUserByEmail(db, account.email))
		if (!user) throw new Error(`demo account ${account.email} could not be created`)
		userIds.set(account.role, user.id)
	}
	const ownerId = userIds.get('owner') ?? null
	for (const group of Object.values(demoGroups)) {
		const inserted = await db
			.insert(groups)
			.values({ ...group, createdBy: ownerId })
			.onConflictDoNothing()
			.returning({ id: groups.id })
		created ||= inserted.length > 0
		for (const account of demoAccounts) {
			const userId = userIds.get(account.role)
			if (!userId) continue
			await db.insert(memberships).values({ groupId: group.id, userId, role: account.role }).onConflictDoNothing()
		}
	}
	for (const demo of demoDocuments) {
		const [existing] = await db.select({ id: documents.id }).from(documents).where(eq(documents.id, demo.id))
		if (existing) continue
		const bytes = readFileSync(path.join(here, 'documents', demo.file))
		const result = importDocument({ bytes, filename: demo.file })
		if (!result.ok) throw new Error(`demo document ${demo.file} failed to import: ${result.error}`)
		await createDocument(db, {
			id: demo.id,
			groupId: demoGroups[demo.group].id,
			title: demo.title,
			sourceFormat: result.format,
			sourceName: demo.file,
			wordCount: result.wordCount,
			createdBy: ownerId,
			state: documentToYUpdate(result.doc),
		})
		created = true
	}
	if (options.published) {
		// Imported lazily: the published demo goes through the server's services.
		const { seedPublishedDemo } = await import('./publication.ts')
		created = (await seedPublishedDemo(db)).created || created
	}
	return { created }
}
