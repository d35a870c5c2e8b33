import { JSDOM } from 'jsdom'
import { describe, expect, test } from 'vitest'
import { mentionMarkdown } from './mentions.ts'
import { mentionedIn, renderMarkdown } from './render.ts'

const priya = '3f0c1a52-7d1e-4c8a-9b3e-0a1b2c3d4e5f'
const tomas = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'

describe('mentions', () => {
	test('a mention renders as the styled name, not as a link', () => {
		const fragment = JSDOM.fragment(renderMarkdown(`Ask ${mentionMarkdown(priya, 'Priya Raman')} about the archive.`))
		const mention = fragment.querySelector('span.mention')
		expect(mention?.textContent).toBe('@Priya Raman')
		expect(fragment.querySelector('a')).toBeNull()
		expect(fragment.textContent?.trim()).toBe('Ask @Priya Raman about the archive.')
	})

	test('names with brackets, accents and markup stay text', () => {
		const name = 'Tomás [the <b>editor</b>] Reyes'
		const source = mentionMarkdown(tomas, name)
		const fragment = JSDOM.fragment(renderMarkdown(source))
		expect(fragment.querySelector('span.mention')?.textContent).toBe(`@${name}`)
		expect(fragment.querySelector('b')).toBeNull()
		expect(mentionedIn(source)).toEqual([{ userId: tomas, name }])
	})

	test('each person once, in order; none inside code; a malformed id is no mention', () => {
		const source = [
			`${mentionMarkdown(tomas, 'Tomás')} and ${mentionMarkdown(priya, 'Priya')}, again ${mentionMarkdown(tomas, 'Tomás')}`,
			'',
			`\`${mentionMarkdown(priya, 'in code')}\` and @[Nobody](user:not-a-uuid) and @Priya`,
		].join('\n')
		expect(mentionedIn(source).map((m) => m.userId)).toEqual([tomas, priya])
		const fragment = JSDOM.fragment(renderMarkdown(source))
		expect(fragment.querySelectorAll('span.mention')).toHaveLength(3)
		expect(fragment.querySelector('code')?.textContent).toBe(mentionMarkdown(priya, 'in code'))
	})

	test('the mention class is the only class that survives sanitizing', () => {
		const html = renderMarkdown('```js\nlet x = 1\n```\n\n[link](https://example.org)')
		expect(html).not.toContain('class=')
	})
})
