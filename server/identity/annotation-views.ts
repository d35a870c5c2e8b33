import { inArray } from 'drizzle-orm'
import type { Database } from '#db/client.ts'
import { userForPseudonym } from '#db/queries/pseudonyms.ts'
import { users } from '#db/schema/index.ts'
import type { AnnotationFacts, AnnotationView } from '#app/annotations/types.ts'
import { mentionMarkdown, pseudonymMentionMarkdown } from '#app/markdown/mentions.ts'
import { renderMarkdown } from '#app/markdown/render.ts'
import type { IdentityMode } from '#app/policy/identity.ts'
import { identityLens, type IdentityLens, type Viewer } from './lens.ts'

/**
 * Annotation bodies and annotations as one viewer may see them. A body is
 * stored with mentions by account (`@[Name](user:id)`); before it reaches a
 * viewer who may not know that person, each such mention becomes the
 * person's pseudonym on the document (`@[Reviewer 2](pseudonym:2)`), and
 * back to the person's current name for a viewer who may. Every place that
 * sends a body to a viewer (the annotations API, the live events, pages)
 * goes through shownBody.
 */

// A mention as the source holds it; matched anywhere, code spans included, so an id never slips through as "code".
const userMention = /@\[((?:\\.|[^\\\]])*)\]\(user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi
const pseudonymMention = /@\[((?:\\.|[^\\\]])*)\]\(pseudonym:([1-9][0-9]{0,6})\)/gi

/** The accounts a stored body mentions. */
export function mentionedAccounts(body: string): string[] {
	return [...new Set([...body.matchAll(userMention)].map((m) => m[2]!.toLowerCase()))]
}

/** People's current names and colours by id (for mentions and the steward's legend). */
export async function peopleByIds(db: Database, ids: Iterable<string>): Promise<Map<string, { name: string; color: string }>> {
	const wanted = [...new Set(ids)]
	if (wanted.length === 0) return new Map()
	const rows = await db.select({ id: users.id, name: users.name, color: users.color }).from(users).where(inArray(users.id, wanted))
	return new Map(rows.map((r) => [r.id, { name: r.name, color: r.color }]))
}

/**
 * A body as written, made storable: mentions by pseudonym (written by someone
 * who sees only pseudonyms) are resolved on `documentId` to the account's
 * form, so that notifications and later viewers know whom they mean; a
 * number nobody holds is left as plain text.
 */
export async function storedBody(db: Database, documentId: string, body: string): Promise<string> {
	const found = [...body.matchAll(pseudonymMention)]
	if (found.length === 0) return body
	const owners = new Map<number, string | null>()
	for (const match of found) {
		const number = Number(match[2])
		if (!owners.has(number)) owners.set(number, await userForPseudonym(db, documentId, number))
	}
	return body.replace(pseudonymMention, (_all, label: string, number: string) => {
		const owner = owners.get(Number(number))
		const name = label.replace(/\\(.)/g, '$1')
		return owner ? mentionMarkdown(owner, name) : `@${name}`
	})
}

/** A stored body as this viewer may read it (see the module comment). */
export function shownBody(body: string, lens: IdentityLens, people: ReadonlyMap<string, { name: string; color: string }>): string {
	return body.replace(userMention, (all, label: string, rawId: string) => {
		const id = rawId.toLowerCase()
		const real = people.get(id)
		const shown = lens.person({ id, name: real?.name ?? label.replace(/\\(.)/g, '$1'), color: real?.color })
		if (!shown.pseudonymous) return real ? mentionMarkdown(id, real.name) : all
		const number = lens.numberOf(id)
		return number === undefined ? `@${shown.name}` : pseudonymMentionMarkdown(number, shown.name)
	})
}

/** One viewer's way of seeing a document's annotations: their lens, and the names of the people mentioned. */
export interface AnnotationFrame {
	viewerId: string
	lens: IdentityLens
	people: ReadonlyMap<string, { name: string; color: string }>
}

/**
 * The frame for a viewer of `facts` (every annotation about to be shown to
 * them): pseudonyms are numbered for their authors and everyone their bodies
 * mention, so the numbers are fixed before anything is rendered.
 */
export async function annotationFrame(
	db: Database,
	input: { viewer: Viewer & { userId: string }; mode: IdentityMode; documentId: string; facts: readonly AnnotationFacts[] },
): Promise<AnnotationFrame> {
	const mentioned = input.facts.flatMap((f) => mentionedAccounts(f.body))
	const authors = input.facts.map((f) => f.creator?.id ?? null)
	const [lens, people] = await Promise.all([
		identityLens(db, { viewer: input.viewer, mode: input.mode, documentId: input.documentId, people: [...authors, ...mentioned] }),
		peopleByIds(db, mentioned),
	])
	return { viewerId: input.viewer.userId, lens, people }
}

/** An annotation as the frame's viewer sees it: no id, real name or colour of anyone they may not know. */
export function showAnnotation(facts: AnnotationFacts, frame: AnnotationFrame): AnnotationView {
	const { creator, endorserIds, body, bodyHtml: _stored, ...rest } = facts
	const shown = creator ? frame.lens.person(creator) : null
	const visibleBody = shownBody(body, frame.lens, frame.people)
	return {
		...rest,
		body: visibleBody,
		bodyHtml: visibleBody === body ? facts.bodyHtml : renderMarkdown(visibleBody),
		creator: shown,
		mine: creator?.id === frame.viewerId,
		endorsementCount: endorserIds.length,
		endorsedByMe: endorserIds.includes(frame.viewerId),
	}
}
