import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { isUuid } from '#db/ids.ts'

/** First bytes of a journal file, then its owner's length and the owner (the database it was written for). */
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
 * Two files keep it bounded under steady typing, when the group commit never
 * runs dry: past `rotateAboveBytes` the file is sealed (renamed to
 * `<path>.sealed`) and a new one begun; the sealed one is deleted once a batch
 * cut after the seal has committed (`checkpoint` / `committedThrough`); when a
 * commit leaves nothing pending, the current one is emptied too. A lock file
 * (`<path>.lock`, with the owner's pid) keeps a second process from taking
 * over a journal that is still being written.
 */
export class UpdateJournal {
	private fd: number
	private size: number
	private readonly header: Buffer
	private failed = false
	/** Records appended by this process so far. */
	private appended = 0
	/** When a sealed file exists: the number of records appended before it was sealed. */
	private sealedAt: number | null = null
	/** The highest checkpoint known committed. */
	private committedAt = 0

	private constructor(
		readonly path: string,
		owner: string,
		private readonly rotateAboveBytes: number,
	) {
		this.header = journalHeader(owner)
		// Whatever the previous process left has been stored by now (see open).
		unlinkQuietly(`${path}.sealed`)
		this.fd = this.fresh()
		this.size = this.header.length
	}

	/**
	 * Takes the journal at `path`: refuses if another live process holds it,
	 * reads what a previous process left (the sealed file first, then the
	 * current one; a torn last record, cut by the kill, is left out), hands it
	 * to `store`, and only once `store` has resolved starts the files afresh.
	 */
	static async open(
		path: string,
		owner: string,
		store: (records: JournalRecord[], writtenFor: string[]) => Promise<void>,
		options: { rotateAboveBytes?: number } = {},
	): Promise<{ journal: UpdateJournal; recovered: JournalRecord[] }> {
		takeLock(`${path}.lock`)
		try {
			const left = [`${path}.sealed`, path].filter((file) => existsSync(file)).map((file) => readJournal(readFileSync(file)))
			const recovered = left.flatMap((file) => file.records)
			if (recovered.length > 0) await store(recovered, [...new Set(left.map((file) => file.owner))])
			return { journal: new UpdateJournal(path, owner, options.rotateAboveBytes ?? 1 << 20), recovered }
		} catch (error) {
			unlinkQuietly(`${path}.lock`)
			throw error
		}
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
			this.appended++
			if (this.size > this.rotateAboveBytes && this.sealedAt === null) this.seal()
			return true
		} catch (error) {
			// A half-written record is cut off at the next start by its length and checksum.
			this.failed = true
			console.error(`[collab] writing the journal ${this.path} failed; edits now wait for the database before anyone sees them:`, error)
			return false
		}
	}

	/** How many records have been appended: taken when a batch is cut, everything before it is in that batch or an earlier one. */
	checkpoint(): number {
		return this.appended
	}

	/**
	 * A batch cut at `checkpoint` has committed. A file sealed before it holds
	 * nothing uncommitted and goes; if nothing was appended since the cut,
	 * nothing is pending at all and the current file is emptied too.
	 */
	committedThrough(checkpoint: number) {
		this.committedAt = Math.max(this.committedAt, checkpoint)
		const released = this.sealedAt !== null && this.sealedAt <= checkpoint
		if (released) {
			this.sealedAt = null
			unlinkQuietly(`${this.path}.sealed`)
		}
		if (checkpoint === this.appended) this.empty()
		// What was written meanwhile is sealed at once, so that it too can go with the next commit.
		else if (released && this.size > this.rotateAboveBytes && !this.failed) this.trySeal()
	}

	/** Bytes in the current file, header included. */
	get bytes(): number {
		return fstatSync(this.fd).size
	}

	/** Closes the file and releases the lock; removes the files if everything in them is committed. */
	close() {
		closeSync(this.fd)
		if (this.committedAt === this.appended) {
			unlinkQuietly(this.path)
			unlinkQuietly(`${this.path}.sealed`)
		}
		unlinkQuietly(`${this.path}.lock`)
	}

	/** Empties the current file (a failed write may have left it in any state, so it is truncated even when it looks empty). */
	private empty() {
		if (this.size === this.header.length && !this.failed) return
		try {
			ftruncateSync(this.fd, this.header.length)
			// Each write says where it goes, so the next one starts at the new end.
			this.size = this.header.length
			this.failed = false
		} catch (error) {
			console.error(`[collab] emptying the journal ${this.path} failed:`, error)
		}
	}

	/** Opens the current file afresh, header only. */
	private fresh(): number {
		const fd = openSync(this.path, 'w')
		writeSync(fd, this.header, 0, this.header.length, 0)
		return fd
	}

	private trySeal() {
		try {
			this.seal()
		} catch (error) {
			this.failed = true
			console.error(`[collab] sealing the journal ${this.path} failed; edits now wait for the database before anyone sees them:`, error)
		}
	}

	private seal() {
		closeSync(this.fd)
		// Renaming is atomic: killed at any point, the next start finds every record in one file or the other.
		renameSync(this.path, `${this.path}.sealed`)
		this.sealedAt = this.appended
		this.fd = this.fresh()
		this.size = this.header.length
	}
}

/** Takes `<journal>.lock` for this process, or throws if a live process holds it. */
function takeLock(lockPath: string) {
	try {
		writeFileSync(lockPath, String(process.pid), { flag: 'wx' })
		return
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
	}
	const holder = Number(readFileSync(lockPath, 'utf8'))
	if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
		throw new Error(
			`The collaboration journal ${lockPath.slice(0, -'.lock'.length)} is in use by process ${holder}: each server process needs its own (COLLAB_JOURNAL, or another PORT or DATA_DIR).`,
		)
	}
	// Left by a process that was killed: ours now.
	writeFileSync(lockPath, String(process.pid))
}

function processIsAlive(pid: number): boolean {
	try {
		process.kill(pid, 0)
		return true
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM'
	}
}

function unlinkQuietly(file: string) {
	try {
		unlinkSync(file)
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`[collab] removing ${file} failed:`, error)
	}
}

function journalHeader(owner: string): Buffer {
	const ownerBytes = Buffer.from(owner)
	const length = Buffer.alloc(4)
	length.writeUInt32LE(ownerBytes.length)
	return Buffer.concat([magic, length, ownerBytes])
}

/** The records of a journal file, up to the first torn or damaged one, and the database it says it was written for. */
export function readJournal(file: Buffer): { owner: string; records: JournalRecord[] } {
	const records: JournalRecord[] = []
	if (file.length < magic.length + 4 || !file.subarray(0, magic.length).equals(magic)) return { owner: '', records }
	const ownerLength = file.readUInt32LE(magic.length)
	let at = magic.length + 4 + ownerLength
	const owner = file.subarray(magic.length + 4, Math.min(at, file.length)).toString()
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
	return { owner, records }
}
