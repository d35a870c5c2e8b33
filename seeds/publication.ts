import type { Database } from '#db/client.ts'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { findEditionContent, setGroupPolicy } from '#db/queries/publication.ts'
import { AnnotationService } from '#server/annotations/service.ts'
import { CollabServer } from '#server/collab/collab-server.ts'
import { PublicationService } from '#server/publication/moderation.ts'
import { AnchorContext, anchorToJSON } from '#app/editor/anchoring.ts'
import { documentFragmentName, yDocToDocument } from '#app/editor/yjs.ts'
import type { Motivation } from '#app/annotations/types.ts'
import { demoDocuments, demoGroups } from './demo.ts'

/**
 * The published side of the demo: on each seminar text, a few methodological
 * annotations (as ../shared/seed-documents/README.md asks: about sources and
 * hedging, never new historical claims) approved and published on a frozen
 * first edition, a published reply, and one submission waiting in the
 * moderation queue. Made through the real services, so the audit trail,
 * editions and selectors are exactly what the workflow produces.
 */

interface DemoAnnotation {
	quote: string
	motivation: Motivation
	tags: string[]
	body: string
	reply?: string
	/** Left submitted, for the moderation queue. */
	pending?: true
}

const demoAnnotations: Record<string, DemoAnnotation[]> = {
	[demoDocuments[0].id]: [
		{
			quote: 'It is reported that Stalin’s scientists extracted growth hormone',
			motivation: 'questioning',
			tags: ['unsourced', 'hedged'],
			body: 'Hedged claim: *“it is reported”* — reported by whom? No source is named, so a reader cannot check it.',
			reply: 'The same formula recurs further down; worth tagging each instance so the pattern is visible.',
		},
		{
			quote: 'the famine was between 8 and 12 million people',
			motivation: 'assessing',
			tags: ['contested'],
			body: 'A range this wide needs its sources: which demographic studies give each end of it, and how do they differ in method?',
		},
		{
			quote: 'average annual death toll of about 1 to 1.5 million',
			motivation: 'questioning',
			tags: ['unsourced'],
			body: 'Which archive or study is this figure from? Compare it with the published camp records before relying on it.',
		},
		{
			quote: 'It is reported that 110,000 former soldiers from soviet penal battalions',
			motivation: 'questioning',
			tags: ['unsourced', 'hedged'],
			body: 'Another *“it is reported”*, with an exact figure but no source for it.',
			pending: true,
		},
	],
	[demoDocuments[1].id]: [
		{
			quote: 'I’m not convinced by the so-called ‘archival’ evidence',
			motivation: 'assessing',
			tags: ['contested'],
			body: 'The writer dismisses the archival record without saying which documents were examined or why they would be unreliable.',
		},
		{
			quote: 'there was never any evidence for it',
			motivation: 'questioning',
			tags: ['unsourced'],
			body: 'A universal negative: what evidence was examined, and what would the writer accept as evidence?',
		},
	],
}

/** Seeds the published demo where a seminar text has no edition yet. Returns whether anything was created. */
export async function seedPublishedDemo(db: Database): Promise<{ created: boolean }> {
	// Checked first: on every later start there is nothing to do, and nothing a group's owner changed
	// since (such as the board's policy) is touched.
	const missing = []
	for (const entry of Object.entries(demoAnnotations)) if (!(await findEditionContent(db, entry[0]))) missing.push(entry)
	if (missing.length === 0) return { created: false }
	const reviewer = await user(db, 'reviewer@scholion.test')
	const moderator = await user(db, 'moderator@scholion.test')
	const owner = await user(db, 'owner@scholion.test')
	if (missing.length === Object.keys(demoAnnotations).length) {
		// The editorial board asks for two approvals, as boards do.
		await setGroupPolicy(db, demoGroups.board.id, { requiresApproval: true, approvalQuorum: 2 })
	}

	const collab = new CollabServer(db)
	const annotations = new AnnotationService(db, collab)
	const publication = new PublicationService(db, collab, annotations)
	try {
		for (const [documentId, items] of missing) {
			for (const item of items) {
				const anchor = await collab.withDocument(documentId, (room) => {
					const context = new AnchorContext(room.doc, room.doc.getXmlFragment(documentFragmentName), yDocToDocument(room.doc))
					const at = context.index.text.indexOf(item.quote)
					if (at < 0) throw new Error(`demo quote not in the text: ${item.quote}`)
					const { positionOfOffset } = context.index
					return anchorToJSON(context.describe(positionOfOffset.call(context.index, at), positionOfOffset.call(context.index, at + item.quote.length)))
				})
				const annotation = await annotations.create(reviewer, documentId, {
					motivation: item.motivation,
					body: item.body,
					tags: item.tags,
					status: 'submitted',
					anchor,
				})
				if (item.pending) continue
				await publication.decide(moderator, annotation.id, { verdict: 'approve', reason: 'A methodological point about the source; it stands.' })
				if (item.reply) {
					const reply = await annotations.reply(moderator, annotation.id, item.reply)
					await publication.decide(owner, reply.id, { verdict: 'approve', reason: 'Useful pointer for readers.' })
				}
			}
		}
	} finally {
		await collab.close()
	}
	return { created: true }
}

async function user(db: Database, email: string): Promise<User> {
	const found = await findUserByEmail(db, email)
	if (!found) throw new Error(`demo account ${email} missing: seed the accounts first`)
	return found
}
