import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { UpdateJournal, type JournalRecord } from './journal.ts'

// The journal is what lets an edit reach other clients before its commit:
// whatever a process wrote to it and did not commit must come back at the
// next start, even when the process died in the middle of a write.

const owner = '127.0.0.1:5432/scholion'
const documentA = '5c1ed0c0-0000-4000-8000-000000000001'
const documentB = '5c1ed0c0-0000-4000-8000-0000000000b2'
const dirs: string[] = []

function journalPath() {
	const dir = mkdtempSync(path.join(tmpdir(), 'scholion-journal-'))
	dirs.push(dir)
	return path.join(dir, 'collab-journal-3000.bin')
}

afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Opens the journal at `file` as a restarting process would, returning what it handed over for storing. */
async function reopen(file: string, forOwner = owner) {
	const stored: JournalRecord[] = []
	const { journal, recovered } = await UpdateJournal.open(file, forOwner, async (records) => {
		stored.push(...records)
	})
	return { journal, recovered, stored }
}

const update = (...bytes: number[]) => Uint8Array.from(bytes)

describe('the collaboration journal', () => {
	test('a process killed before its commit leaves every update for the next start, in order', async () => {
		const file = journalPath()
		const first = await reopen(file)
		expect(first.recovered).toBe(0)
		expect(first.journal.append(documentA, update(1, 2, 3))).toBe(true)
		expect(first.journal.append(documentB, update(4))).toBe(true)
		expect(first.journal.append(documentA, update(5, 6))).toBe(true)
		// No close: the process is gone.

		const second = await reopen(file)
		expect(second.recovered).toBe(3)
		expect(second.stored).toEqual([
			{ documentId: documentA, update: update(1, 2, 3) },
			{ documentId: documentB, update: update(4) },
			{ documentId: documentA, update: update(5, 6) },
		])
		// The new process starts afresh: what was recovered is not handed over twice.
		const third = await reopen(file)
		expect(third.recovered).toBe(0)
	})

	test('a record cut off by the kill, or damaged, is left out with everything after it', async () => {
		const file = journalPath()
		const { journal } = await reopen(file)
		journal.append(documentA, update(1))
		journal.append(documentA, update(2, 2))
		journal.append(documentA, update(3, 3, 3))
		truncateSync(file, statSync(file).size - 2)
		expect((await reopen(file)).stored.map((r) => [...r.update])).toEqual([[1], [2, 2]])

		const damaged = journalPath()
		const other = (await reopen(damaged)).journal
		other.append(documentB, update(7))
		other.append(documentB, update(8))
		const bytes = readFileSync(damaged)
		bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1)
		writeFileSync(damaged, bytes)
		expect((await reopen(damaged)).stored.map((r) => [...r.update])).toEqual([[7]])
	})

	test('a journal written for another database is set aside, never replayed into this one', async () => {
		const file = journalPath()
		;(await reopen(file, 'elsewhere:5432/other')).journal.append(documentA, update(9))
		const { stored, recovered } = await reopen(file)
		expect(recovered).toBe(0)
		expect(stored).toEqual([])
		const aside = readdirSync(path.dirname(file)).filter((name) => name.endsWith('.foreign'))
		expect(aside).toHaveLength(1)
	})

	test('emptied once everything in it is committed and it has grown large; later updates still come back', async () => {
		const file = journalPath()
		const { journal } = await UpdateJournal.open(file, owner, async () => {}, { truncateAboveBytes: 200 })
		const before = journal.bytes
		for (let i = 0; i < 20; i++) journal.append(documentA, new Uint8Array(20).fill(i))
		expect(journal.bytes).toBeGreaterThan(200)
		journal.committed()
		expect(journal.bytes).toBe(before)
		journal.append(documentB, update(42))
		expect((await reopen(file)).stored).toEqual([{ documentId: documentB, update: update(42) }])
	})

	test('a small journal is kept as it is until it grows, and a clean close with everything committed removes it', async () => {
		const file = journalPath()
		const { journal } = await reopen(file)
		const empty = journal.bytes
		journal.append(documentA, update(1))
		journal.committed()
		expect(journal.bytes).toBeGreaterThan(empty)
		journal.close(true)
		expect(existsSync(file)).toBe(false)
	})

	test('a store that fails keeps the old journal in place for the next attempt', async () => {
		const file = journalPath()
		;(await reopen(file)).journal.append(documentA, update(1, 1))
		await expect(
			UpdateJournal.open(file, owner, async () => {
				throw new Error('database down')
			}),
		).rejects.toThrow('database down')
		expect((await reopen(file)).stored).toEqual([{ documentId: documentA, update: update(1, 1) }])
	})
})
