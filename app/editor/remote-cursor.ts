import type { Plugin } from 'prosemirror-state'
import { DecorationSet } from 'prosemirror-view'
import * as Y from 'yjs'
import { documentFragmentName } from './yjs.ts'

/**
 * Other people's carets come from their awareness states, which the
 * editor's yCursorPlugin decodes as Yjs relative positions inside
 * ProseMirror's state update: a cursor that is not one throws there, and
 * the editor stops rendering. The server forwards only states that pass
 * server/collab/awareness-check.ts; the editor does not count on it.
 */

/** Whether `id` is a Yjs item id ({client, clock}, whole numbers), or absent. */
function isIdOrAbsent(id: unknown): boolean {
	if (id == null) return true
	if (typeof id !== 'object') return false
	const { client, clock } = id as Record<string, unknown>
	return Number.isSafeInteger(client) && (client as number) >= 0 && Number.isSafeInteger(clock) && (clock as number) >= 0
}

/**
 * Whether `json` is a relative position (as y-prosemirror publishes one)
 * that resolves to a place inside `fragment`: an item or type of the
 * fragment's Y.Doc that it has, or the fragment itself by name. Never
 * throws, and never creates anything in the Y.Doc by looking.
 */
export function pointsIntoFragment(json: unknown, fragment: Y.XmlFragment): boolean {
	if (!json || typeof json !== 'object' || Array.isArray(json)) return false
	const { type, tname, item, assoc } = json as Record<string, unknown>
	if (!isIdOrAbsent(type) || !isIdOrAbsent(item) || !(assoc == null || Number.isInteger(assoc))) return false
	// By name only the fragment: Yjs looks a name up with doc.get, which would create any other root type.
	if (tname != null && tname !== documentFragmentName) return false
	if (type == null && item == null && tname == null) return false
	const doc = fragment.doc
	if (!doc) return false
	try {
		const resolved = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc)
		return resolved !== null && (resolved.type === fragment || Y.isParentOf(fragment, resolved.type._item))
	} catch {
		return false
	}
}

/**
 * yCursorPlugin's awarenessStateFilter: the others' states whose carets can
 * be drawn. A state without a cursor passes (nothing is drawn for it);
 * one with a `user` that is not an object does not (the plugin writes a
 * default colour into it).
 */
export function drawableRemoteState(fragment: Y.XmlFragment) {
	return (ownClientId: number, clientId: number, state: Record<string, unknown>): boolean => {
		if (clientId === ownClientId) return false
		const { user, cursor } = state
		if (user != null && (typeof user !== 'object' || Array.isArray(user))) return false
		if (cursor == null) return true
		if (typeof cursor !== 'object') return false
		const { anchor, head } = cursor as Record<string, unknown>
		return pointsIntoFragment(anchor, fragment) && pointsIntoFragment(head, fragment)
	}
}

/**
 * yCursorPlugin, its carets computed defensively: should a remote state get
 * past the filter and still fail to draw, the carets stay as they were and
 * the transaction goes through. Patched before the plugin's first state is
 * created, which is when ProseMirror reads `spec.state`.
 */
export function guardedCursorPlugin(plugin: Plugin<DecorationSet>): Plugin<DecorationSet> {
	const field = plugin.spec.state
	if (!field) throw new RangeError('not a plugin with state')
	const { init, apply } = field
	field.init = function (config, state) {
		try {
			return init.call(this, config, state)
		} catch (error) {
			console.warn('[editor] remote carets could not be drawn:', error)
			return DecorationSet.empty
		}
	}
	field.apply = function (tr, value, oldState, newState) {
		try {
			return apply.call(this, tr, value, oldState, newState)
		} catch (error) {
			console.warn('[editor] remote carets could not be drawn:', error)
			return value.map(tr.mapping, tr.doc)
		}
	}
	return plugin
}
