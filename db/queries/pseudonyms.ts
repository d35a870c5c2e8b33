import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { documentPseudonyms, users } from '../schema/index.ts'

/**
 * Each person's pseudonym number on a document, giving the next numbers to
 * those who have none yet (in the order asked). Numbers are never reused:
 * a concurrent assignment that takes the same number loses on the unique
 * index and is retried with the next one.
 */
export async function pseudonymNumbers(db: Database, documentId: string, userIds: readonly string[]): Promise<Map<string, number>> {
	const wanted = [...new Set(userIds)]
	const numbers = new Map<string, number>()
	if (wanted.length === 0) return numbers
	for (let attempt = 0; ; attempt++) {
		const rows = await db
			.select({ userId: documentPseudonyms.userId, number: documentPseudonyms.number })
			.from(documentPseudonyms)
			.where(and(eq(documentPseudonyms.documentId, documentId), inArray(documentPseudonyms.userId, wanted)))
		for (const row of rows) numbers.set(row.userId, row.number)
		const missing = wanted.filter((id) => !numbers.has(id))
		if (missing.length === 0) return numbers
		try {
			// One statement numbers them all after the current highest, so two people never share a number.
			await db.execute(sql`
				insert into document_pseudonyms (document_id, user_id, number)
				select ${documentId}::uuid, u.id, coalesce((select max(number) from document_pseudonyms where document_id = ${documentId}::uuid), 0) + u.ord
				from unnest(string_to_array(${missing.join(',')}, ',')::uuid[]) with ordinality as u(id, ord)
				on conflict (document_id, user_id) do nothing`)
		} catch (error) {
			if (attempt >= 5) throw error
		}
	}
}

/** Whose pseudonym a number is on a document (a mention written as `@[Reviewer 2](pseudonym:2)`), or null. */
export async function userForPseudonym(db: Database, documentId: string, number: number): Promise<string | null> {
	const [row] = await db
		.select({ userId: documentPseudonyms.userId })
		.from(documentPseudonyms)
		.where(and(eq(documentPseudonyms.documentId, documentId), eq(documentPseudonyms.number, number)))
	return row?.userId ?? null
}

/** Every pseudonym given on a document, with whose it is (the stewards' "who is who"), by number. */
export async function listPseudonyms(db: Database, documentId: string): Promise<{ number: number; userId: string; name: string }[]> {
	return db
		.select({ number: documentPseudonyms.number, userId: documentPseudonyms.userId, name: users.name })
		.from(documentPseudonyms)
		.innerJoin(users, eq(users.id, documentPseudonyms.userId))
		.where(eq(documentPseudonyms.documentId, documentId))
		.orderBy(documentPseudonyms.number)
}
