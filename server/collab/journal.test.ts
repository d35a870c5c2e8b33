import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { UpdateJournal, type JournalRecord } from './journal.ts'

// The journal is what lets an edit reach other clients before its commit:
// whatever a process wrote to it and did not commit must come back at the
// next start, even when the process died in the middle of a write, and the
// files must stay bounded however long people type.

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

/** A process that died: its lock names a pid that no longer runs. */
function die(file: string) {
	const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
	writeFileSync(`${file}.lock`, gone)
}

/** Opens the journal at `file` as a restarting process would, returning what it handed over for storing. */
async function reopen(file: string, forOwner = owner, options: { rotateAboveBytes?: number } = {}) {
	const stored: JournalRecord[] = []
	const owners: string[] = []
	const { journal, recovered } = await UpdateJournal.open(
		file,
		forOwner,
		async (records, writtenFor) => {
			stored.push(...records)
			owners.push(...writtenFor)
		},
		options,
	)
	return { journal, recovered, stored, owners }
}

const update = (...bytes: number[]) => Uint8Array.from(bytes)

describe('the collaboration journal', () => {
	test('a process killed before its commit leaves every update for the next start, in order, once', async () => {
		const file = journalPath()
		const first = await reopen(file)
		expect(first.recovered).toEqual([])
		expect(first.journal.append(documentA, update(1, 2, 3))).toBe(true)
		expect(first.journal.append(documentB, update(4))).toBe(true)
		expect(first.journal.append(documentA, update(5, 6))).toBe(true)
		die(file)

		const second = await reopen(file)
		expect(second.stored).toEqual([
			{ documentId: documentA, update: update(1, 2, 3) },
			{ documentId: documentB, update: update(4) },
			{ documentId: documentA, update: update(5, 6) },
		])
		expect(second.owners).toEqual([owner])
		// The new process starts afresh: what was recovered is not handed over twice.
		die(file)
		expect((await reopen(file)).stored).toEqual([])
	})

	test('a record cut off by the kill, or damaged, is left out with everything after it', async () => {
		const file = journalPath()
		const { journal } = await reopen(file)
		journal.append(documentA, update(1))
		journal.append(documentA, update(2, 2))
		journal.append(documentA, update(3, 3, 3))
		die(file)
		truncateSync(file, statSync(file).size - 2)
		expect((await reopen(file)).stored.map((r) => [...r.update])).toEqual([[1], [2, 2]])

		const damaged = journalPath()
		const other = (await reopen(damaged)).journal
		other.append(documentB, update(7))
		other.append(documentB, update(8))
		die(damaged)
		const bytes = readFileSync(damaged)
		bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1)
		writeFileSync(damaged, bytes)
		expect((await reopen(damaged)).stored.map((r) => [...r.update])).toEqual([[7]])
	})

	test('a second process cannot take over a journal that a live process is writing', async () => {
		const file = journalPath()
		const { journal } = await reopen(file)
		journal.append(documentA, update(1))
		// The lock names this (live) test process as if it were another one.
		writeFileSync(`${file}.lock`, String(process.ppid))
		await expect(reopen(file)).rejects.toThrow(/in use by process/)
		// Nothing was taken from the live one.
		expect(journal.append(documentA, update(2))).toBe(true)
		die(file)
		expect((await reopen(file)).stored.map((r) => [...r.update])).toEqual([[1], [2]])
	})

	test('says which database a journal was written for, and hands its records over all the same', async () => {
		const file = journalPath()
		;(await reopen(file, 'localhost:5432/scholion')).journal.append(documentA, update(9))
		die(file)
		const { stored, owners } = await reopen(file)
		expect(owners).toEqual(['localhost:5432/scholion'])
		expect(stored).toEqual([{ documentId: documentA, update: update(9) }])
	})

	test('under steady typing, where the log is never idle, a sealed file goes once a later batch commits', async () => {
		const file = journalPath()
		const { journal } = await reopen(file, owner, { rotateAboveBytes: 300 })
		const record = new Uint8Array(40)
		let cut = journal.checkpoint()
		const held: number[] = []
		for (let i = 0; i < 40; i++) {
			journal.append(documentA, record.fill(i))
			// A batch cut every 5 records commits while the next ones are already being written.
			if (i % 5 === 4) {
				journal.committedThrough(cut)
				cut = journal.checkpoint()
			}
			held.push(journal.bytes + (existsSync(`${file}.sealed`) ? statSync(`${file}.sealed`).size : 0))
		}
		// Bounded: a sealed file and a current one of about two batches each, however many records were written.
		expect(Math.max(...held.slice(20))).toBeLessThanOrEqual(Math.max(...held.slice(0, 20)))
		// Killed now: only what no committed batch covered (and possibly a sealed file not yet released) comes back, in order.
		die(file)
		const back = (await reopen(file)).stored.map((r) => r.update[0])
		expect(back.length).toBeGreaterThan(0)
		expect(back.at(-1)).toBe(39)
		expect(back).toEqual([...back].sort((a, b) => a! - b!))
		expect(back.length).toBeLessThan(40)
	})

	test('emptied when nothing is pending; a clean close removes the files and the lock', async () => {
		const file = journalPath()
		const { journal } = await reopen(file)
		const empty = journal.bytes
		journal.append(documentA, update(1))
		expect(journal.bytes).toBeGreaterThan(empty)
		journal.committedThrough(journal.checkpoint())
		expect(journal.bytes).toBe(empty)
		journal.close()
		expect(existsSync(file)).toBe(false)
		expect(existsSync(`${file}.lock`)).toBe(false)
	})

	test('a store that fails keeps the old journal in place for the next attempt', async () => {
		const file = journalPath()
		;(await reopen(file)).journal.append(documentA, update(1, 1))
		die(file)
		await expect(
			UpdateJournal.open(file, owner, async () => {
				throw new Error('database down')
			}),
		).rejects.toThrow('database down')
		expect((await reopen(file)).stored).toEqual([{ documentId: documentA, update: update(1, 1) }])
	})
})
