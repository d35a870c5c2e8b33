import { describe, expect, test } from 'vitest'
import { importDocument, type SourceFormat } from './index.ts'
import { defaultImportLimits, type ParseLimits } from './limits.ts'

const encoder = new TextEncoder()

/** The importer with small limits, so that each is reached in a few bytes. */
function importWith(limits: Partial<ParseLimits>, source: string, format: SourceFormat) {
	return importDocument(
		{ bytes: encoder.encode(source), filename: `source.${format}` },
		{ limits: { ...defaultImportLimits, ...limits } },
	)
}

describe('each parser stops at the first step over a limit and says which', () => {
	test.each([
		{ format: 'html' as const, source: '<p>one</p><p>two</p><p>three</p>', limits: { maxBlocks: 2 }, limit: 'blocks' },
		{ format: 'md' as const, source: 'one\n\ntwo\n\nthree\n', limits: { maxBlocks: 2 }, limit: 'blocks' },
		{ format: 'txt' as const, source: 'One.\n\nTwo.\n\nThree.\n', limits: { maxBlocks: 2 }, limit: 'blocks' },
		{ format: 'html' as const, source: '<p><em>a</em> <em>b</em> <em>c</em></p>', limits: { maxElements: 3 }, limit: 'elements' },
		{ format: 'md' as const, source: '*a* *b* *c* *d*', limits: { maxElements: 3 }, limit: 'elements' },
		{ format: 'html' as const, source: '<blockquote><blockquote><blockquote><p>deep</p></blockquote></blockquote></blockquote>', limits: { maxDepth: 3 }, limit: 'depth' },
		{ format: 'md' as const, source: '> > > > deep\n', limits: { maxDepth: 3 }, limit: 'depth' },
		{ format: 'md' as const, source: '- a\n  - b\n    - c\n', limits: { maxDepth: 3 }, limit: 'depth' },
		{ format: 'md' as const, source: 'a\nb\nc\nd\n', limits: { maxLines: 3 }, limit: 'lines' },
		{ format: 'txt' as const, source: 'a\nb\nc\nd\n', limits: { maxLines: 3 }, limit: 'lines' },
	])('$format over $limit', ({ format, source, limits, limit }) => {
		const result = importWith(limits, source, format)
		expect(result).toMatchObject({ ok: false, limit })
		expect(!result.ok && result.error).toMatch(new RegExp(`^“source\\.${format}” `))
	})

	test('exactly at each limit, the source imports', () => {
		expect(importWith({ maxBlocks: 3 }, '<p>one</p><p>two</p><p>three</p>', 'html').ok).toBe(true)
		expect(importWith({ maxDepth: 4 }, '<blockquote><blockquote><blockquote><p>deep</p></blockquote></blockquote></blockquote>', 'html').ok).toBe(true)
		expect(importWith({ maxLines: 4 }, 'a\nb\nc\nd', 'txt').ok).toBe(true)
	})

	test('Markdown nested past markdown-it’s own cap of 100 is refused, not silently cut off', () => {
		const result = importWith({ maxDepth: 150 }, `${'>'.repeat(120)} deep\n`, 'md')
		expect(result.ok).toBe(true)
		expect(importWith({}, `${'>'.repeat(120)} deep\n`, 'md')).toMatchObject({ ok: false, limit: 'depth' })
	})

	test('messages name the limit and what to do', () => {
		const result = importWith({ maxBlocks: 2 }, 'one\n\ntwo\n\nthree\n', 'md')
		expect(!result.ok && result.error).toBe(
			'“source.md” has more than 2 paragraphs and other blocks (headings, list items, quotes); Scholion imports up to 2. ' +
				'Split it into parts and import each, or remove what is not the text.',
		)
	})
})
