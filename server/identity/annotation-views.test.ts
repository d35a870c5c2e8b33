import { describe, expect, test } from 'vitest'
import { mentionMarkdown, pseudonymMentionMarkdown } from '#app/markdown/mentions.ts'
import { mentionedIn, renderMarkdown } from '#app/markdown/render.ts'
import { presenceIsPseudonymous } from '#app/policy/identity.ts'
import type { AnnotationFacts } from '#app/annotations/types.ts'
import { mentionedAccounts, shownBody, showAnnotation } from './annotation-views.ts'
import { IdentityLens } from './lens.ts'

const priya = '3f0c1a52-7d1e-4c8a-9b3e-0a1b2c3d4e5f'
const wanda = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const people = new Map([
	[priya, { name: 'Priya Raman', color: '#111111' }],
	[wanda, { name: 'Wanda Zielinska', color: '#222222' }],
])
const numbers = new Map([
	[priya, 1],
	[wanda, 2],
])
const reviewerLens = new IdentityLens({ userId: priya, role: 'reviewer' }, 'anonymous', false, numbers)
const moderatorLens = new IdentityLens({ userId: 'c0ffee00-0000-4000-8000-000000000000', role: 'moderator' }, 'anonymous', true, new Map())

describe('bodies shown per viewer', () => {
	const stored = `Ask ${mentionMarkdown(wanda, 'Reviewer 2')} and \`${mentionMarkdown(wanda, 'x')}\` too.`

	test('a reviewer in anonymous mode reads the pseudonym form, without the id even inside code', () => {
		const shown = shownBody(stored, reviewerLens, people)
		expect(shown).toBe('Ask @[Reviewer 2](pseudonym:2) and `@[Reviewer 2](pseudonym:2)` too.')
		expect(shown).not.toContain(wanda)
		expect(renderMarkdown(shown)).toContain('<span class="mention">@Reviewer 2</span>')
	})

	test('a moderator reads the current real name, whatever label the writer saw', () => {
		expect(shownBody(stored, moderatorLens, people)).toContain(`@[Wanda Zielinska](user:${wanda})`)
	})

	test('everyone reads their own name', () => {
		expect(shownBody(mentionMarkdown(priya, 'Reviewer 1'), reviewerLens, people)).toBe(`@[Priya Raman](user:${priya})`)
	})

	test('the pseudonym form parses as a mention, apart from mentions by account', () => {
		const source = `${pseudonymMentionMarkdown(2, 'Reviewer 2')} ${mentionMarkdown(priya, 'Priya')}`
		expect(mentionedIn(source)).toEqual([
			{ userId: '', name: 'Reviewer 2', pseudonym: 2 },
			{ userId: priya, name: 'Priya' },
		])
		expect(mentionedAccounts(source)).toEqual([priya])
	})
})

describe('annotations shown per viewer', () => {
	const facts: AnnotationFacts = {
		id: 'a',
		documentId: 'd',
		parentId: null,
		motivation: 'commenting',
		body: `Hello ${mentionMarkdown(priya, 'Priya Raman')}`,
		bodyHtml: '',
		tags: [],
		status: 'submitted',
		createdAt: '',
		modifiedAt: '',
		creator: { id: wanda, name: 'Wanda Zielinska', color: '#222222' },
		endorserIds: [priya, wanda],
		anchor: null,
	}

	test('a reviewer gets flags, counts and a pseudonym: no account ids, no personal colour', () => {
		const view = showAnnotation(facts, { viewerId: priya, lens: reviewerLens, people })
		expect(view.creator).toEqual({ id: null, name: 'Reviewer 2', color: expect.not.stringMatching('#222222'), pseudonymous: true })
		expect(view).toMatchObject({ mine: false, endorsedByMe: true, endorsementCount: 2 })
		expect(JSON.stringify(view)).not.toContain(wanda)
		expect(JSON.stringify(view)).not.toContain('Wanda')
	})

	test('its author knows it is theirs', () => {
		const lens = new IdentityLens({ userId: wanda, role: 'reviewer' }, 'anonymous', false, numbers)
		expect(showAnnotation(facts, { viewerId: wanda, lens, people })).toMatchObject({ mine: true, creator: { name: 'Wanda Zielinska' } })
	})
})

describe('presence in a room', () => {
	test('pseudonymous in anonymous mode; in anonymous-to-the-public only where outsiders can open the document', () => {
		expect(presenceIsPseudonymous('named', 'community')).toBe(false)
		expect(presenceIsPseudonymous('anonymous', 'seminar')).toBe(true)
		expect(presenceIsPseudonymous('anonymous_public', 'editorial_board')).toBe(false)
		expect(presenceIsPseudonymous('anonymous_public', 'community')).toBe(true)
	})
})
