import { mentionMarkdown } from '#app/markdown/mentions.ts'
import type { IdentityLens } from './lens.ts'

/**
 * Mentions (`@[Name](user:id)`, app/markdown/mentions.ts) in text that leaves
 * the server for one viewer: a notification's excerpt, an export, a search
 * snippet. Written by regular expression rather than by the Markdown parser
 * on purpose: a mention inside a code span is plain text to Markdown, but its
 * name and id are still there to read, so every occurrence is rewritten.
 */
const mention = /@\[((?:\\.|[^\\\]])*)\]\(user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi

function unescapeLabel(label: string): string {
	return label.replace(/\\(.)/g, '$1').replace(/\s+/g, ' ').trim()
}

/** The user ids mentioned in a text, for building the lens that will show it. */
export function mentionedIds(text: string): string[] {
	return [...text.matchAll(mention)].map((m) => m[2]!.toLowerCase())
}

/**
 * The text with each mention as the viewer may see the person: unchanged
 * (markup kept) when they may know them, else `@[Reviewer 2](pseudonym:2)`,
 * which carries neither the name nor the account.
 */
export function mentionsAsMarkdown(text: string, lens: IdentityLens): string {
	return text.replace(mention, (whole, label: string, id: string) => {
		const shown = lens.person({ id: id.toLowerCase(), name: unescapeLabel(label) })
		if (!shown.pseudonymous) return whole
		const number = lens.numberOf(id.toLowerCase())
		return number === undefined ? `@${shown.name}` : `@[${shown.name}](pseudonym:${number})`
	})
}

/** The text with each mention as plain `@Name` (or `@Reviewer 2`): for excerpts, email and snippets, never carrying an id. */
export function mentionsAsPlainText(text: string, lens: IdentityLens): string {
	return text.replace(mention, (_whole, label: string, id: string) => `@${lens.person({ id: id.toLowerCase(), name: unescapeLabel(label) }).name}`)
}

/** Mentions replaced by private-use placeholders and back, so a text can go through a Markdown-to-text step with them intact. */
export function protectMentions(text: string): { text: string; restore: (out: string) => string } {
	const found: string[] = []
	const protectedText = text.replace(mention, (_whole, label: string, id: string) => {
		found.push(mentionMarkdown(id.toLowerCase(), unescapeLabel(label)))
		return `\uE010${found.length - 1}\uE011`
	})
	return {
		text: protectedText,
		restore: (out) =>
			out
				.replace(/\uE010(\d+)\uE011/g, (_w, i: string) => found[Number(i)] ?? '')
				// A mention cut in half by shortening is dropped rather than left half-written.
				.replace(/\uE010\d*…?$/, '…')
				.replace(/[\uE010\uE011]/g, ''),
	}
}
