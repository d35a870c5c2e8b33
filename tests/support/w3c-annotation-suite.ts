import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Ajv04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import type { ValidateFunction } from 'ajv'

/**
 * The W3C Web Annotation Data Model test assertions (the annotation-model
 * suite of web-platform-tests), run with a standard JSON Schema validator.
 * The suite is data in tests/fixtures/w3c-annotation-tests (a copy of the one in
 * shared/, with its licence, so that the repository tests itself on its own);
 * its SOURCE.txt says how to run it, and this follows it:
 * ajv 8 for draft-04 with formats, the seven shared definitions added first,
 * assertion `id`s dropped (two files share one), nested assertion lists
 * flattened, and an assertion passes when
 * `(validate(doc) === true) === (expectedResult !== 'invalid')`.
 */

/** Where the suite lives, inside the repository. */
export const suiteDirectory = fileURLToPath(new URL('../fixtures/w3c-annotation-tests/', import.meta.url))

/** An assertion of the suite that a document did not meet. */
export interface FailedAssertion {
	/** The assertion file, relative to the suite folder. */
	assertion: string
	/** The suite's own message for this failure. */
	errorMessage: string
	/** What the validator objected to (empty for an assertion expected to be invalid that validated). */
	details: string[]
}

interface Assertion {
	path: string
	expectInvalid: boolean
	errorMessage: string
	validate: ValidateFunction
}

/** The three lists of MUST assertions the published layer answers to. */
export const mustTests = {
	annotation: 'annotations/annotationMusts.test',
	collection: 'collections/collectionMusts.test',
	page: 'collections/pages/pageMusts.test',
} as const

let ajv: Ajv04 | null = null
const compiled = new Map<string, Assertion[]>()

function readJson(relativePath: string): Record<string, unknown> {
	return JSON.parse(readFileSync(suiteDirectory + relativePath, 'utf8')) as Record<string, unknown>
}

function validator(): Ajv04 {
	if (ajv) return ajv
	ajv = new Ajv04({ allErrors: true, strict: false, validateSchema: false })
	// Without ajv-formats, "uri" and "date-time" would be silently ignored.
	addFormats(ajv)
	for (const file of readdirSync(suiteDirectory + 'definitions').filter((name) => name.endsWith('.json')).sort()) {
		ajv.addSchema(readJson(`definitions/${file}`))
	}
	return ajv
}

/** A .test file's assertions may nest arrays; each entry is a path relative to the suite folder. */
function flatten(entries: unknown): string[] {
	if (typeof entries === 'string') return [entries]
	if (Array.isArray(entries)) return entries.flatMap(flatten)
	throw new RangeError(`Unexpected assertion entry: ${JSON.stringify(entries)}`)
}

/** The compiled assertions of one .test file of the suite (compiled once per process). */
export function assertionsOf(testFile: string): Assertion[] {
	const cached = compiled.get(testFile)
	if (cached) return cached
	const ajv = validator()
	const assertions = flatten(readJson(testFile).assertions).map((path): Assertion => {
		const { id: _duplicateProne, ...schema } = readJson(path)
		return {
			path,
			expectInvalid: schema.expectedResult === 'invalid',
			errorMessage: typeof schema.errorMessage === 'string' ? schema.errorMessage : path,
			validate: ajv.compile(schema),
		}
	})
	compiled.set(testFile, assertions)
	return assertions
}

/** Runs every assertion of a .test file on `doc`; returns the ones that failed (empty: all passed). */
export function checkAssertions(testFile: string, doc: unknown): FailedAssertion[] {
	const failed: FailedAssertion[] = []
	for (const assertion of assertionsOf(testFile)) {
		const valid = assertion.validate(doc) === true
		if (valid === !assertion.expectInvalid) continue
		failed.push({
			assertion: assertion.path,
			errorMessage: assertion.errorMessage,
			details: (assertion.validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim()),
		})
	}
	return failed
}

/** The annotation MUSTs (54 assertions of annotationMusts.test). */
export function checkAnnotationMusts(doc: unknown): FailedAssertion[] {
	return checkAssertions(mustTests.annotation, doc)
}

/** The Annotation Collection MUSTs (collectionMusts.test). */
export function checkCollectionMusts(doc: unknown): FailedAssertion[] {
	return checkAssertions(mustTests.collection, doc)
}

/** The Annotation Page MUSTs (pageMusts.test). */
export function checkPageMusts(doc: unknown): FailedAssertion[] {
	return checkAssertions(mustTests.page, doc)
}

/**
 * The suite's sample documents: `tools/samples/correct` and `incorrect`.
 * Samples that are deliberately not valid JSON come back with `doc: undefined`.
 */
export function samples(kind: 'correct' | 'incorrect'): { name: string; text: string; doc: unknown }[] {
	const folder = `tools/samples/${kind}/`
	return readdirSync(suiteDirectory + folder)
		.filter((name) => name.endsWith('.json'))
		.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
		.map((name) => {
			const text = readFileSync(suiteDirectory + folder + name, 'utf8')
			let doc: unknown
			try {
				doc = JSON.parse(text)
			} catch {
				doc = undefined
			}
			return { name, text, doc }
		})
}
