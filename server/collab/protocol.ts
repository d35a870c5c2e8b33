/**
 * The wire protocol of /collab/:documentId: y-websocket's, one message per
 * WebSocket frame, each starting with a varUint message type. Scholion adds
 * two message types that are sent only to clients that ask for them with the
 * `scholion=1` URL parameter, so the stock WebsocketProvider sees nothing
 * but standard messages.
 */

/** y-websocket: y-protocols/sync messages. */
export const messageSync = 0
/** y-websocket: y-protocols/awareness update. */
export const messageAwareness = 1
/** y-websocket: y-protocols/auth (unused by Scholion; refused when received). */
export const messageAuth = 2
/** y-websocket: ask for every awareness state. */
export const messageQueryAwareness = 3

/**
 * Scholion: "everything up to this state vector is durably stored". The
 * payload is a Yjs state vector (varUint8Array); a client compares its own
 * clock in it with its local one to show "All changes saved" truthfully.
 */
export const messageSaved = 100
/** Scholion: the connection's access changed. Payload: varUint 1 = read-only, 0 = may write. */
export const messageAccess = 101
/** Scholion: an annotation event (app/annotations/types.ts AnnotationEvent), as a JSON varString. */
export const messageAnnotations = 102

/** The URL parameter that asks for Scholion's extra messages. */
export const extensionParam = 'scholion'

/**
 * Close codes, named after the HTTP statuses they mirror (4000–4999 is the
 * range RFC 6455 leaves to applications).
 */
export const closeCodes = {
	/** No valid session cookie at the upgrade, or the session ended. */
	unauthorized: 4401,
	/** Not allowed to see this document (or the Origin is not the app's own). */
	forbidden: 4403,
	/** A frame that is not a well-formed message, or an update that fails to apply. */
	badMessage: 4400,
	/**
	 * The connection sent more messages than its rate limit allows. Not 4429:
	 * y-websocket 3.x stops reconnecting for good on 4400–4499, and a client
	 * that was only too fast should come back.
	 */
	tooManyMessages: 4529,
	/**
	 * An update that would leave the document in a state its schema refuses
	 * (app/editor/document-check.ts): unknown nodes, bad attributes, unsafe
	 * links, misplaced content, too deep or too large. In the 4400–4499 range
	 * on purpose: y-websocket 3.x does not reconnect after it, and a client
	 * that did would send the same update again in its sync step 2.
	 */
	breaksSchema: 4422,
	/**
	 * This client holds changes the server refused (made while it could not
	 * write); every later change from the same Y.Doc builds on them, so it
	 * must start over from the server's state with a new Y.Doc. In 4400–4499
	 * so that the stock provider stops reconnecting (its Y.Doc would be
	 * refused again); Scholion's editor starts a new session instead.
	 */
	refusedEdits: 4409,
	/** The document is gone (deleted while open). */
	gone: 4410,
	/** The server is shutting down; the client should reconnect. */
	goingAway: 1001,
	/** The server failed on something it should have handled (logged); the client may reconnect. */
	serverError: 1011,
} as const
