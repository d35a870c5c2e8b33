import type MarkdownIt from 'markdown-it'
import type { StateInline } from 'markdown-it'

/**
 * Mentions of group members in annotation bodies.
 *
 * Syntax: `@[Priya Raman](user:6f1c…-uuid)`, which the composer's
 * autocomplete inserts. Names have spaces, accents, and can be shared by two
 * people, so a bare `@name` could not say whom it means; the id does, and
 * the bracketed name keeps the Markdown source readable (and still reads as
 * a link in any other Markdown tool). A name with `]` in it is written with
 * a backslash escape, as in any link label.
 *
 * The inline rule runs before markdown-it's `link` rule so the pair is read
 * as a mention, never as a link with a `user:` URL. Inside code spans and
 * blocks it is plain text, as Markdown users expect. No npm plugin fits:
 * those published read `@handle` (Twitter, Mastodon), not an id-bearing form.
 */

const mentionTarget = /^\((?:user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|pseudonym:([1-9][0-9]{0,6}))\)/i
const at = 0x40 /* @ */
const openBracket = 0x5b /* [ */

export interface Mention {
	/** The account mentioned; '' for a mention by pseudonym, whose account only the server can tell (per document). */
	userId: string
	/** The name as written in the body. */
	name: string
	/** For `@[Reviewer 2](pseudonym:2)`: the pseudonym's number on the annotation's document. */
	pseudonym?: number
}

/** The Markdown a mention of this person is written as. */
export function mentionMarkdown(userId: string, name: string): string {
	return `@[${name.replace(/[\\[\]]/g, (c) => `\\${c}`)}](user:${userId})`
}

/**
 * A mention of a pseudonym, as the autocomplete writes it where names are
 * hidden from the writer (app/policy/identity.ts): the server resolves the
 * number on the annotation's document and stores the account's form.
 */
export function pseudonymMentionMarkdown(number: number, label: string): string {
	return `@[${label.replace(/[\\[\]]/g, (c) => `\\${c}`)}](pseudonym:${number})`
}

function mentionRule(state: StateInline, silent: boolean): boolean {
	const start = state.pos
	if (state.src.charCodeAt(start) !== at || state.src.charCodeAt(start + 1) !== openBracket) return false
	const labelEnd = state.md.helpers.parseLinkLabel(state, start + 1, true)
	if (labelEnd < 0) return false
	const target = mentionTarget.exec(state.src.slice(labelEnd + 1, labelEnd + 1 + 44))
	if (!target) return false
	const name = state.md.utils.unescapeAll(state.src.slice(start + 2, labelEnd)).replace(/\s+/g, ' ').trim()
	if (!name) return false
	if (!silent) {
		const token = state.push('mention', '', 0)
		token.meta = (target[1] ? { userId: target[1].toLowerCase(), name } : { userId: '', name, pseudonym: Number(target[2]) }) satisfies Mention
	}
	state.pos = labelEnd + 1 + target[0].length
	return true
}

/** The markdown-it plugin: parses mentions and renders each as a styled name. */
export function mentionsPlugin(md: MarkdownIt) {
	md.inline.ruler.before('link', 'mention', mentionRule)
	md.renderer.rules.mention = (tokens, idx) => {
		const { name } = tokens[idx]!.meta as Mention
		return `<span class="mention">@${md.utils.escapeHtml(name)}</span>`
	}
}

/**
 * Everyone a body mentions, each once, in order of first mention (code spans
 * and blocks excluded). Mentions by pseudonym are keyed `pseudonym:N`, with
 * `userId` ''.
 */
export function mentionsIn(md: MarkdownIt, source: string): Mention[] {
	const found = new Map<string, Mention>()
	const visit = (tokens: ReturnType<MarkdownIt['parse']>) => {
		for (const token of tokens) {
			if (token.type === 'mention') {
				const mention = token.meta as Mention
				const key = mention.pseudonym === undefined ? mention.userId : `pseudonym:${mention.pseudonym}`
				if (!found.has(key)) found.set(key, mention)
			}
			if (token.children) visit(token.children)
		}
	}
	visit(md.parse(source, {}))
	return [...found.values()]
}
