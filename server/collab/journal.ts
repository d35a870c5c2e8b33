import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { isUuid } from '#db/ids.ts'

/** First bytes of a journal file, then its owner's length and the owner (the database it is for). */
const magic = Buffer.from('SCHOLION-JOURNAL-1\n')
/** A record: payload length, CRC-32 of the payload, then the payload (document id, 16 bytes, and the update). */
const recordHeaderBytes = 8
const documentIdBytes = 16

export interface JournalRecord {
	documentId: string
	update: Uint8Array
}

/**
 * The collaboration server's write-ahead journal. Every update a document
 * takes is written here, synchronously, before it is forwarded to the other
 * clients; the group commit stores it in PostgreSQL after. A process killed
 * in between leaves the update in the file (the kernel holds it once write()
 * returns), and the next start stores it before any document loads: an edit
 * another client has seen is not lost with the process, yet nobody waits
 * for a database round trip to see it. The file is not fsynced: it guards
 * against the process dying, not the machine, which is why "saved" still
 * waits for the database's commit.
 *
 * The file is emptied whenever everything in it is known to be committed
 * and it has grown past `truncateAboveBytes`.
 */
export class UpdateJournal {
	private readonly fd: number
	private size: number
	private readonly headerBytes: number
	private failed = false

	private constructor(
		readonly path: string,
		owner: string,
		private readonly truncateAboveBytes: number,
	) {
		const header = journalHeader(owner)
		this.headerBytes = header.length
		this.fd = openSync(path, 'w')
		writeSync(this.fd, header, 0, header.length, 0)
		this.size = header.length
	}

	/**
	 * Reads what a previous process left in `path` (a torn last record, cut by
	 * the kill, is left out), then starts the file afresh for this process.
	 * A file written for another database is set aside as `<path>.<time>.foreign`,
	 * never replayed into this one. `store` must have committed the records
	 * before it resolves; only then is the old file replaced.
	 */
	static async open(
		path: string,
		owner: string,
		store: (records: JournalRecord[]) => Promise<void>,
		options: { truncateAboveBytes?: number } = {},
	): Promise<{ journal: UpdateJournal; recovered: number }> {
		let recovered = 0
		if (existsSync(path)) {
			const left = readJournal(readFileSync(path), owner)
			if (left === 'foreign') {
				const aside = `${path}.${Date.now()}.foreign`
				renameSync(path, aside)
				console.warn(`[collab] ${path} was written for another database; set aside as ${aside}`)
			} else if (left.length > 0) {
				await store(left)
				recovered = left.length
			}
		}
		return { journal: new UpdateJournal(path, owner, options.truncateAboveBytes ?? 1 << 20), recovered }
	}

	/**
	 * Writes one update; false if it could not be written (the disk is full, say),
	 * in which case the caller must not show it to anyone before it is committed.
	 */
	append(documentId: string, update: Uint8Array): boolean {
		if (this.failed) return false
		const record = Buffer.allocUnsafe(recordHeaderBytes + documentIdBytes + update.length)
		Buffer.from(documentId.replaceAll('-', ''), 'hex').copy(record, recordHeaderBytes)
		record.set(update, recordHeaderBytes + documentIdBytes)
		const payload = record.subarray(recordHeaderBytes)
		record.writeUInt32LE(payload.length, 0)
		record.writeUInt32LE(crc32(payload), 4)
		try {
			const written = writeSync(this.fd, record, 0, record.length, this.size)
			this.size += written
			if (written !== record.length) throw new Error(`short write (${written} of ${record.length} bytes)`)
			return true
		} catch (error) {
			// A half-written record is cut off at the next start by its length and checksum.
			this.failed = true
			console.error(`[collab] writing the journal ${this.path} failed; edits now wait for the database before anyone sees them:`, error)
			return false
		}
	}

	/** Called when everything appended so far is committed: empties the file if it has grown large. */
	committed() {
		if (this.size <= this.truncateAboveBytes && !this.failed) return
		ftruncateSync(this.fd, this.headerBytes)
		// Each write says where it goes, so the next one starts at the new end.
		this.size = this.headerBytes
		this.failed = false
	}

	/** Bytes in the file, header included. */
	get bytes(): number {
		return fstatSync(this.fd).size
	}

	/** Closes the file; removes it when the caller knows everything in it is committed. */
	close(allCommitted: boolean) {
		closeSync(this.fd)
		if (allCommitted) unlinkSync(this.path)
	}
}

function journalHeader(owner: string): Buffer {
	const ownerBytes = Buffer.from(owner)
	const length = Buffer.alloc(4)
	length.writeUInt32LE(ownerBytes.length)
	return Buffer.concat([magic, length, ownerBytes])
}

/** The records of a journal file, up to the first torn or damaged one; 'foreign' if it belongs to another database. */
export function readJournal(file: Buffer, owner: string): JournalRecord[] | 'foreign' {
	const header = journalHeader(owner)
	if (file.length < header.length || !file.subarray(0, header.length).equals(header)) {
		return file.length === 0 ? [] : 'foreign'
	}
	const records: JournalRecord[] = []
	let at = header.length
	while (at + recordHeaderBytes <= file.length) {
		const length = file.readUInt32LE(at)
		const end = at + recordHeaderBytes + length
		if (length < documentIdBytes || end > file.length) break
		const payload = file.subarray(at + recordHeaderBytes, end)
		if (crc32(payload) !== file.readUInt32LE(at + 4)) break
		const hex = payload.subarray(0, documentIdBytes).toString('hex')
		const documentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
		if (isUuid(documentId)) records.push({ documentId, update: new Uint8Array(payload.subarray(documentIdBytes)) })
		at = end
	}
	return records
}
