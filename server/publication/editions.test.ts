import { describe, expect, test } from 'vitest'
import { paragraphDiff } from './editions.ts'

describe('paragraphDiff', () => {
	test('compares whole paragraphs: an edited one is removed and added, unchanged ones are kept together', () => {
		const before = ['One.', 'Two words here.', 'Three.', 'Four.'].join('\n\n')
		const after = ['One.', 'Two other words here.', 'Four.', 'Five.'].join('\n\n')
		expect(paragraphDiff(before, after)).toEqual([
			{ kind: 'same', paragraphs: ['One.'] },
			{ kind: 'removed', paragraphs: ['Two words here.', 'Three.'] },
			{ kind: 'added', paragraphs: ['Two other words here.'] },
			{ kind: 'same', paragraphs: ['Four.'] },
			{ kind: 'added', paragraphs: ['Five.'] },
		])
	})

	test('a first edition is all added; a hard break stays inside its paragraph', () => {
		expect(paragraphDiff('', 'Line one\nline two.\n\nNext.')).toEqual([{ kind: 'added', paragraphs: ['Line one\nline two.', 'Next.'] }])
	})
})
