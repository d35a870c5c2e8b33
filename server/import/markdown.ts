import MarkdownIt, { type Options as MarkdownOptions } from 'markdown-it'
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs'
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { htmlToDocument } from './html.ts'
import { ParseBudget, type ParseLimits } from './limits.ts'

/** What the counting rules find in markdown-it's `env`. */
interface BudgetEnv {
	budget: ParseBudget
}

// Raw HTML is passed through because htmlToDocument sanitizes it. Typographer and
// linkify stay off: they rewrite the author's characters (quotes, dashes,
// punycode in link text), and an importer must keep every one.
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false })

// markdown-it builds every token of the whole source before any is rendered
// (1.5 million paragraphs are 4.5 million tokens, more than the heap holds), so
// the counts are kept by rules that run first at every block and inline step
// and throw at the first one over a limit; they never match anything.
markdown.block.ruler.before('table', 'scholion_budget', (state: StateBlock) => {
	const { budget } = state.env as BudgetEnv
	// state.level is how many container tokens (quotes, lists, items) are open here.
	budget.depth(state.level + 1)
	budget.block()
	return false
})
markdown.inline.ruler.before('text', 'scholion_budget', (state: StateInline, silent: boolean) => {
	// A silent call only looks ahead (where does this link end?) and makes no token.
	if (!silent) (state.env as BudgetEnv).budget.element()
	return false
})

/** Turns CommonMark (with GitHub's tables and strikethrough) into a document; throws ImportLimitError. */
export function markdownToDocument(source: string, limits: ParseLimits): ProseMirrorNode {
	// markdown-it would silently drop whatever lies deeper than maxNesting; above
	// the depth limit the rule above refuses the file instead. (@types/markdown-it
	// does not list the option.)
	markdown.set({ maxNesting: limits.maxDepth + 2 } as MarkdownOptions)
	const env: BudgetEnv = { budget: new ParseBudget(limits) }
	env.budget.lines(source)
	return htmlToDocument(markdown.render(source, env), limits).doc
}
