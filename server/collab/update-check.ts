import diagnosticsChannel from 'node:diagnostics_channel'
import * as Y from 'yjs'
import {
	attributeProblem,
	checkElement,
	checkSubtree,
	defaultDocumentLimits,
	depthOf,
	formatProblem,
	isLive,
	measureDocument,
	nodeTypeOf,
	sizeProblem,
	type DocumentLimits,
} from '#app/editor/document-check.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

/**
 * Decides, before a client's update touches a room, whether the document
 * it would leave still passes the schema (app/editor/document-check.ts).
 * Yjs cannot undo an applied update, so the question is answered first:
 *
 * - Typing, deleting text, marks and attribute changes (almost every update)
 *   change no element's children. They are checked from the decoded structs
 *   alone, looking their parents up in the room's Y.Doc without changing it:
 *   a few µs, whatever the size of the document.
 * - An update that adds or removes elements (Enter, lists, pasting) is
 *   applied first to a shadow copy of the room's Y.Doc, and only the
 *   elements whose children changed, and the new subtrees, are checked there.
 *   The shadow is made at the room's first such update and then kept in step
 *   with every update the room applies; after a refusal it is thrown away and
 *   made again when next needed. It doubles the memory of a room that has had
 *   a structural edit.
 *
 * Updates relayed from other server processes (Redis) are not checked: each
 * process checks what its own clients send before it publishes anything.
 */
export class UpdateCheck {
	private shadow: Y.Doc | null = null
	/** What the document holds at most: exact when measured, then grown by every update accepted since. */
	private size: { nodes: number; textLength: number } | null = null

	constructor(
		private readonly doc: Y.Doc,
		private readonly limits: DocumentLimits = defaultDocumentLimits,
	) {
		// Typed before any lookup: a root first seen in an update is a plain AbstractType.
		doc.getXmlFragment(documentFragmentName)
		doc.on('update', this.onUpdate)
	}

	/**
	 * Why applying `update` to the room would break its document, or null if
	 * it may be applied. `decoded` is Y.decodeUpdate(update).
	 */
	problem(update: Uint8Array, decoded: DecodedUpdate): string | null {
		const started = performance.now()
		const growth = growthOf(decoded)
		let kind: 'text' | 'structural' = 'text'
		let problem = this.textOnlyProblem(decoded)
		if (problem === structural || (problem === null && this.overLimitWith(growth))) {
			kind = 'structural'
			problem = this.structuralProblem(update, growth)
		}
		if (problem === null) this.grow(growth)
		if (checkChannel.hasSubscribers) {
			checkChannel.publish({ kind, micros: (performance.now() - started) * 1000, refused: problem !== null })
		}
		return problem
	}

	destroy() {
		this.doc.off('update', this.onUpdate)
		this.shadow?.destroy()
		this.shadow = null
	}

	private onUpdate = (update: Uint8Array) => {
		if (!this.shadow) return
		// Idempotent: an update the shadow was given while being checked changes nothing here.
		try {
			Y.applyUpdate(this.shadow, update)
		} catch {
			// Never expected (the room encoded it); a shadow out of step is made again when next needed.
			this.shadow.destroy()
			this.shadow = null
		}
	}

	/**
	 * Checks an update that adds no element and deletes none from the structs
	 * alone: null if it is fine, a problem, or `structural` when it needs the
	 * resulting tree (elements added or deleted, parents this update creates
	 * or that the room does not have yet, anything unusual).
	 */
	private textOnlyProblem({ structs, ds }: DecodedUpdate): string | null | typeof structural {
		const store = this.doc.store
		// Updates waiting for a missing predecessor would be integrated along with this one.
		if (store.pendingStructs || store.pendingDs) return structural
		const next = new Map<number, number>()
		const parents = new Map<Y.Item, Parent | null>()
		const added = new Map<number, Y.Item[]>()
		for (const struct of structs) if (struct instanceof Y.Item) getOrCreate(added, struct.id.client).push(struct)
		for (const struct of structs) {
			const client = struct.id.client
			const expected = next.get(client) ?? Y.getState(store, client)
			// A gap: Yjs would keep the rest pending until it is filled.
			if (struct.id.clock > expected) return structural
			next.set(client, Math.max(expected, struct.id.clock + struct.length))
			if (struct.id.clock + struct.length <= Y.getState(store, client)) continue
			if (struct instanceof Y.GC) continue
			if (!(struct instanceof Y.Item)) return structural
			const content = struct.content
			if (content instanceof Y.ContentDeleted) continue
			if (!(content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentAny)) {
				return structural
			}
			const parent = this.parentOf(struct, parents, added)
			if (parent === null) return structural
			if (!isLive(parent.type)) continue
			if (content instanceof Y.ContentAny) {
				const nodeType = nodeTypeOf(parent.type)
				if (parent.sub === null || !(parent.type instanceof Y.XmlElement) || !nodeType) return structural
				if (content.arr.length !== 1) return `bad attribute ${parent.sub}`
				const problem = attributeProblem(nodeType, parent.sub, content.arr[0])
				if (problem) return problem
				continue
			}
			if (!(parent.type instanceof Y.XmlText) || parent.sub !== null) {
				return parent.type instanceof Y.XmlFragment && parent.sub === null ? 'text outside a paragraph' : structural
			}
			if (content instanceof Y.ContentFormat) {
				const block = parent.type.parent
				const problem = formatProblem(block ? nodeTypeOf(block) : null, content.key, content.value)
				if (problem) return problem
			}
		}
		for (const [client, ranges] of ds.clients) {
			const known = Y.getState(store, client)
			const structsOfClient = store.clients.get(client)
			for (const { clock, len } of ranges) {
				// Deleting what this update itself adds, or what the room does not have (it would wait, pending).
				if (clock + len > known) {
					if (clock + len > (next.get(client) ?? known)) return structural
				}
				if (!structsOfClient || clock >= known) continue
				for (let i = Y.findIndexSS(structsOfClient, clock); i < structsOfClient.length; i++) {
					const existing = structsOfClient[i]!
					if (existing.id.clock >= clock + len) break
					// Removing an element or a text node changes its parent's children.
					if (existing instanceof Y.Item && !existing.deleted && existing.content instanceof Y.ContentType) return structural
				}
			}
		}
		return null
	}

	/**
	 * The type a new item goes into, and its key for a map entry (attribute):
	 * stated in the item, or inherited from its neighbour (origin, else right
	 * origin), which the room has or this update adds (a paste is several
	 * items chained to each other). Null when it is not an existing type of
	 * the room. Followed iteratively: a chain may be as long as the update.
	 */
	private parentOf(item: Y.Item, parents: Map<Y.Item, Parent | null>, added: Map<number, Y.Item[]>): Parent | null {
		const chain: Y.Item[] = []
		let parent: Parent | null = null
		for (let current: Y.Item | null = item; current; ) {
			if (parents.has(current)) {
				parent = parents.get(current)!
				break
			}
			chain.push(current)
			// Marked before it is resolved, so that a crafted cycle of neighbours ends here.
			parents.set(current, null)
			if (typeof current.parent === 'string') {
				if (current.parent === documentFragmentName) {
					parent = { type: this.doc.getXmlFragment(documentFragmentName), sub: current.parentSub }
				}
				break
			}
			if (current.parent instanceof Y.ID) {
				const holder = this.existing(current.parent)
				if (holder?.content instanceof Y.ContentType) parent = { type: holder.content.type, sub: current.parentSub }
				break
			}
			const neighbour = current.origin ?? current.rightOrigin
			if (!neighbour) break
			const existing = this.existing(neighbour)
			if (existing) {
				if (existing.parent instanceof Y.AbstractType) parent = { type: existing.parent, sub: existing.parentSub }
				break
			}
			current = addedItem(added, neighbour)
		}
		for (const resolved of chain) parents.set(resolved, parent)
		return parent
	}

	/** The room's item holding `id`, or null if the room does not have it. */
	private existing(id: Y.ID): Y.Item | null {
		if (id.clock >= Y.getState(this.doc.store, id.client)) return null
		const struct = Y.getItem(this.doc.store, id)
		return struct instanceof Y.Item ? struct : null
	}

	/**
	 * Applies the update to the shadow and checks the elements whose children
	 * or attributes it changed, and every element it added, with its depth.
	 */
	private structuralProblem(update: Uint8Array, growth: Size): string | null {
		const store = this.doc.store
		const pending = store.pendingStructs !== null || store.pendingDs !== null
		let shadow: Y.Doc
		if (pending) {
			// Rare (a client's update raced its own sync): a one-off copy that holds the waiting updates too.
			shadow = copyOf(this.doc)
			if (store.pendingStructs) Y.applyUpdateV2(shadow, store.pendingStructs.update)
			if (store.pendingDs) Y.applyUpdateV2(shadow, store.pendingDs)
		} else {
			shadow = this.shadow ??= copyOf(this.doc)
		}
		let transaction: Y.Transaction | null = null
		const capture = (tr: Y.Transaction) => (transaction = tr)
		shadow.on('afterTransaction', capture)
		try {
			Y.applyUpdate(shadow, update)
		} catch (error) {
			// Half applied (the room's dispatch closes the socket as for any update that fails to apply).
			shadow.destroy()
			if (shadow === this.shadow) this.shadow = null
			throw error
		} finally {
			shadow.off('afterTransaction', capture)
		}
		const problem = transaction ? this.changedProblem(shadow, transaction, growth) : null
		if (pending) shadow.destroy()
		else if (problem) {
			// The shadow now holds what the room never will.
			shadow.destroy()
			this.shadow = null
		}
		return problem
	}

	private changedProblem(shadow: Y.Doc, transaction: Y.Transaction, growth: Size): string | null {
		const fragment = shadow.getXmlFragment(documentFragmentName)
		const isNew = (item: Y.Item) => item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0)
		for (const type of transaction.changed.keys()) {
			if (!isLive(type)) continue
			if (rootOf(type) !== fragment) return 'a change outside the document'
			if (type instanceof Y.XmlText) {
				// Its text or marks changed: checked as part of its element's children.
				const parent = type.parent
				if (!(parent instanceof Y.XmlElement || parent instanceof Y.XmlFragment)) return 'text outside a paragraph'
				const report = checkElement(parent)
				if (report.problem) return report.problem
				continue
			}
			if (!(type instanceof Y.XmlElement || type instanceof Y.XmlFragment)) return 'a change outside the document'
			const depth = depthOf(type)
			const report = checkElement(type)
			if (report.problem) return report.problem
			for (const element of report.elements) {
				if (!isNew(element._item!)) continue
				const subtree = checkSubtree(element, depth + 1, this.limits)
				if (subtree.problem) return subtree.problem
			}
		}
		if (this.overLimitWith(growth)) {
			const exact = measureDocument(fragment)
			const problem = sizeProblem(exact, this.limits)
			if (problem) return problem
			this.size = exact
		}
		return null
	}

	/** Whether the document might pass a limit with `growth` more, without walking it unless it is near one. */
	private overLimitWith(growth: { nodes: number; textLength: number }): boolean {
		this.size ??= measureDocument(this.doc.getXmlFragment(documentFragmentName))
		return sizeProblem({ nodes: this.size.nodes + growth.nodes, textLength: this.size.textLength + growth.textLength }, this.limits) !== null
	}

	private grow(growth: { nodes: number; textLength: number }) {
		if (!this.size) return
		this.size = { nodes: this.size.nodes + growth.nodes, textLength: this.size.textLength + growth.textLength }
	}
}

type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>

type Size = { nodes: number; textLength: number }

interface Parent {
	type: Y.AbstractType<any>
	/** The map key (attribute) the item sets, or null for an item of the list of children. */
	sub: string | null
}

const structural = Symbol('needs the resulting tree')

/**
 * Each check's cost, for bench:sync (tests/bench/server-probe.ts): published
 * only while someone listens, so it costs nothing otherwise.
 */
export const checkChannel = diagnosticsChannel.channel('scholion:update-check')

export interface CheckMessage {
	kind: 'text' | 'structural'
	micros: number
	refused: boolean
}

/** An upper bound of what an update adds: its characters and its new types. */
function growthOf({ structs }: DecodedUpdate): { nodes: number; textLength: number } {
	let nodes = 0
	let textLength = 0
	for (const struct of structs) {
		if (!(struct instanceof Y.Item)) continue
		if (struct.content instanceof Y.ContentString) textLength += struct.length
		else if (struct.content instanceof Y.ContentType) nodes++
	}
	return { nodes, textLength }
}

/** The item of this update holding `id`, or null. */
function addedItem(added: Map<number, Y.Item[]>, id: Y.ID): Y.Item | null {
	const items = added.get(id.client)
	if (!items) return null
	// Sorted by clock, as Yjs writes each client's structs.
	let low = 0
	let high = items.length - 1
	while (low <= high) {
		const middle = (low + high) >>> 1
		const item = items[middle]!
		if (id.clock < item.id.clock) high = middle - 1
		else if (id.clock >= item.id.clock + item.length) low = middle + 1
		else return item
	}
	return null
}

function getOrCreate<K, V>(map: Map<K, V[]>, key: K): V[] {
	let list = map.get(key)
	if (!list) map.set(key, (list = []))
	return list
}

function copyOf(doc: Y.Doc): Y.Doc {
	const copy = new Y.Doc()
	copy.getXmlFragment(documentFragmentName)
	Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
	return copy
}

function rootOf(type: Y.AbstractType<any>): Y.AbstractType<any> {
	let root = type
	while (root._item) root = root._item.parent as Y.AbstractType<any>
	return root
}
