/**
 * The deterministic plan of one scenario, computed alike by the bench and by
 * each of its worker threads so that they need to exchange almost nothing:
 * which document each client opens, who writes, which thread hosts whom,
 * and, for every edit number n, who sends it, when, and what it inserts.
 *
 * Edits are numbered in send order. Writers take turns (edit n is written
 * by writer n mod W as its ⌊n / W⌋-th edit), and every edit inserts a text of
 * the same length, so a peer that sees a writer's clock move from a to b
 * knows exactly which edits arrived, and finds their send times in one
 * shared array indexed by n.
 */

/** A load scenario: this many documents, each opened by this many clients. */
export interface Scenario {
	name: string
	documents: number
	clientsPerDocument: number
}

export interface LoadPlan {
	scenario: Scenario
	documentIds: string[]
	/** How many of each document's clients write; the others only receive. */
	writersPerDocument: number
	/** Edits per second over all writers. */
	rate: number
	warmupMs: number
	measureMs: number
	/** Worker threads hosting the clients. */
	threads: number
	seed: number
}

/** Yjs client ids are set, not random, so that a peer can tell which client wrote an edit. */
const clientIdBase = 1000
const writerDigits = 4
const editDigits = 5
/** Every edit inserts exactly this many characters (Yjs clocks count UTF-16 units). */
export const editLength = ` [${'0'.repeat(writerDigits)}:${'0'.repeat(editDigits)}]`.length

export class ScenarioPlan {
	readonly clients: number
	/** Client index of each writer, by writer slot. */
	readonly writers: number[]
	private readonly slotOfClient: Int32Array
	/** Edits sent in all: warm-up and measured. */
	readonly edits: number
	/** The first measured edit number; measured edits run up to `edits`. */
	readonly firstMeasured: number

	constructor(readonly plan: LoadPlan) {
		const { scenario } = plan
		if (plan.documentIds.length < scenario.documents) {
			throw new RangeError(`scenario ${scenario.name} needs ${scenario.documents} documents, got ${plan.documentIds.length}`)
		}
		this.clients = scenario.documents * scenario.clientsPerDocument
		this.slotOfClient = new Int32Array(this.clients).fill(-1)
		this.writers = []
		for (let client = 0; client < this.clients; client++) {
			if (this.positionInDocument(client) < plan.writersPerDocument) {
				this.slotOfClient[client] = this.writers.length
				this.writers.push(client)
			}
		}
		this.firstMeasured = Math.round((plan.rate * plan.warmupMs) / 1000)
		this.edits = this.firstMeasured + Math.round((plan.rate * plan.measureMs) / 1000)
		if (this.writers.length >= 10 ** writerDigits || Math.ceil(this.edits / this.writers.length) >= 10 ** editDigits) {
			throw new RangeError(`scenario ${scenario.name}: too many writers or edits for the edit text's fixed width`)
		}
	}

	/**
	 * Client k opens document k mod n: consecutive clients, and so consecutive
	 * writers, are in different documents.
	 */
	documentOf(client: number): number {
		return client % this.plan.scenario.documents
	}

	positionInDocument(client: number): number {
		return Math.floor(client / this.plan.scenario.documents)
	}

	threadOf(client: number): number {
		return client % this.plan.threads
	}

	yjsClientId(client: number): number {
		return clientIdBase + client
	}

	/** The writer slot of a Yjs client id, or -1 for a client that does not write (or is not ours). */
	slotOfYjsClient(yjsClientId: number): number {
		return this.slotOfClient[yjsClientId - clientIdBase] ?? -1
	}

	writerOf(edit: number): number {
		return this.writers[edit % this.writers.length]!
	}

	/** The edit number of a writer's k-th edit. */
	editNumber(slot: number, k: number): number {
		return k * this.writers.length + slot
	}

	/** When edit n is due, in ms after the start. */
	dueAt(edit: number): number {
		return (edit * 1000) / this.plan.rate
	}

	isMeasured(edit: number): boolean {
		return edit >= this.firstMeasured && edit < this.edits
	}

	/** The text of a writer's k-th edit: " [slot:k]", fixed width. */
	editText(slot: number, k: number): string {
		return ` [${String(slot).padStart(writerDigits, '0')}:${String(k).padStart(editDigits, '0')}]`
	}

	/** Peers of a document that should see each of its edits. */
	get peersPerEdit(): number {
		return this.plan.scenario.clientsPerDocument - 1
	}
}

/** Wall-clock time in ms with sub-millisecond precision, comparable between threads. */
export function nowMs(): number {
	return performance.timeOrigin + performance.now()
}

/** A small seeded PRNG (mulberry32): the same seed gives the same edits. */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}
