import type * as Y from 'yjs'
import { z } from 'zod'
import { pointsIntoFragment } from '#app/editor/remote-cursor.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

/**
 * What a client may publish as its awareness state, checked before the room
 * forwards it to everyone with the document open. Scholion's editor publishes
 * two fields: `user` (collab-session.ts; the server replaces it with the
 * verified account anyway) and `cursor` (y-prosemirror's yCursorPlugin: a
 * selection as two Yjs relative positions). Each peer's yCursorPlugin decodes
 * every cursor it is sent, and a cursor that does not decode throws inside
 * ProseMirror's state update, which stops that peer's editor from opening;
 * so a state is forwarded only if every field in it is one of these, in the
 * shape and size they are made, and its cursor points into this document.
 */

/** Largest awareness state a client may publish, in UTF-16 units of its JSON; a cursor and a name need a few hundred. */
export const maxAwarenessStateLength = 2048

/** A Yjs item id: a client (uint32, as Yjs draws them) and a clock. */
const itemId = z.object({ client: z.number().int().min(0).max(0xffff_ffff), clock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict()

/**
 * A Y.RelativePosition as it reaches the wire: y-prosemirror puts the object
 * itself in the state, so JSON.stringify writes its four fields, absent ones as null.
 */
const relativePosition = z
	.object({
		type: itemId.nullish(),
		tname: z.string().max(64).nullish(),
		item: itemId.nullish(),
		assoc: z.number().int().min(-1).max(1).nullish(),
	})
	.strict()

export type RelativePositionJSON = z.infer<typeof relativePosition>

/** Name and colour as collab-session.ts publishes them; whatever a client claims is replaced by the account's. */
const userClaim = z
	.object({
		name: z.string().max(200).optional(),
		color: z.string().regex(/^#[0-9a-f]{6}$/i).optional(),
	})
	.strict()

const awarenessState = z
	.object({
		user: userClaim.optional(),
		cursor: z.object({ anchor: relativePosition, head: relativePosition }).strict().nullable().optional(),
	})
	.strict()

export type CheckedAwarenessState = z.infer<typeof awarenessState>

export type AwarenessCheck =
	/** `state` is what may be forwarded: null for "this client left". */
	| { ok: true; state: CheckedAwarenessState | null }
	| { ok: false; reason: string }

/**
 * Checks one client's awareness state (its JSON, as the awareness protocol
 * carries it) against `doc`, the room's document. A cursor of the right
 * shape that does not point into the document (text the server never
 * received, another document's ids) is not an attack but a race or a stale
 * client: the state goes out with `cursor: null`, so that the person still
 * shows as present. Throws a SyntaxError on text that is not JSON.
 */
export function checkAwarenessState(json: string, doc: Y.Doc): AwarenessCheck {
	if (json.length > maxAwarenessStateLength) return { ok: false, reason: `state longer than ${maxAwarenessStateLength}` }
	// Not JSON at all is a malformed message, not a malformed state: the SyntaxError closes the socket (4400).
	const parsed: unknown = JSON.parse(json)
	if (parsed === null) return { ok: true, state: null }
	const result = awarenessState.safeParse(parsed)
	if (!result.success) return { ok: false, reason: result.error.issues[0]?.message ?? 'unexpected state' }
	const state = result.data
	const fragment = doc.getXmlFragment(documentFragmentName)
	if (state.cursor && !(pointsIntoFragment(state.cursor.anchor, fragment) && pointsIntoFragment(state.cursor.head, fragment))) {
		return { ok: true, state: { ...state, cursor: null } }
	}
	return { ok: true, state }
}
