import { describe, expect, test } from 'vitest'
import { jsonLdPermalinkPath, prefersJsonLd } from './negotiation.ts'

describe('prefersJsonLd', () => {
	test.each([
		['application/ld+json', true],
		['application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"', true],
		['application/json', true],
		['application/json, text/plain, */*', true],
		['text/html;q=0.5, application/ld+json;q=0.9', true],
		['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
		['*/*', false],
		['application/*', false],
		['text/html, application/json', false],
		['application/json;q=0.8, text/html', false],
		['application/ld+json;q=0', false],
		['', false],
	])('Accept %j → %s', (accept, expected) => {
		expect(prefersJsonLd(accept)).toBe(expected)
	})

	test('?format=jsonld asks for JSON-LD whatever the Accept', () => {
		expect(prefersJsonLd('text/html', new URLSearchParams('format=jsonld'))).toBe(true)
		expect(prefersJsonLd('text/html', new URLSearchParams('format=html'))).toBe(false)
	})
})

test('jsonLdPermalinkPath names the resource route of the two permalink shapes only', () => {
	expect(jsonLdPermalinkPath('/a/abc')).toBe('/a/abc.jsonld')
	expect(jsonLdPermalinkPath('/a/abc/')).toBe('/a/abc.jsonld')
	expect(jsonLdPermalinkPath('/a/abc/v/2')).toBe('/a/abc/v/2.jsonld')
	expect(jsonLdPermalinkPath('/a/abc.jsonld')).toBeNull()
	expect(jsonLdPermalinkPath('/a/abc/history')).toBeNull()
	expect(jsonLdPermalinkPath('/read/abc/e/1')).toBeNull()
})
