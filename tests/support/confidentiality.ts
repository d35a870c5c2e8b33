import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq } from 'drizzle-orm'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import type { Database } from '#db/client.ts'
import { createSession, createUser, type User } from '#db/queries/accounts.ts'
import { createDocument } from '#db/queries/documents.ts'
import { addMember, createGroup, type Role } from '#db/queries/groups.ts'
import { groups } from '#db/schema/index.ts'
import { importDocument } from '#server/import/index.ts'
import { hashToken, randomToken, sessionCookie } from '#server/session-cookie.ts'
import { documentToYUpdate } from '#app/editor/yjs.ts'
import type { Audience, IdentityMode } from '#app/policy/identity.ts'
import { colorForUser } from '#app/utils/colors.ts'

/**
 * Helpers for the confidentiality tests (tests/integration/confidentiality-matrix.test.ts,
 * tests/e2e/anonymous-board.test.ts): a board with people whose names occur
 * nowhere else, sessions made without the log-in form (its rate limits and
 * password hashing are not what these tests are about), and the raw bytes a
 * viewer receives, with data: URLs decoded so a name hidden in a citation
 * download still counts.
 */

const here = path.dirname(fileURLToPath(import.meta.url))
export const manuscriptFile = path.resolve(here, '../../seeds/documents/stalin-1924-1953.txt')

export type BoardRole = 'owner' | 'moderator' | 'reviewerA' | 'reviewerB' | 'outsider'

export interface BoardPeople {
	owner: User
	moderator: User
	reviewerA: User
	reviewerB: User
	outsider: User
}

export interface Board {
	groupId: string
	documentId: string
	people: BoardPeople
}

/** Creates an editorial board with `names` (role → name), its manuscript, and sets the two settings straight in the database. */
export async function createBoard(
	db: Database,
	input: {
		key: string
		names: Record<BoardRole, string>
		mode: IdentityMode
		audience: Audience
		passwordHash?: string
		title?: string
	},
): Promise<Board> {
	const people = {} as BoardPeople
	for (const role of ['owner', 'moderator', 'reviewerA', 'reviewerB', 'outsider'] as const) {
		const email = `${input.names[role].toLowerCase().replace(/[^a-z]+/g, '.')}@${input.key}.example.org`
		people[role] = (await createUser(db, {
			email,
			name: input.names[role],
			passwordHash: input.passwordHash ?? 'not-a-usable-hash',
			color: colorForUser(email),
		}))!
	}
	const group = await createGroup(db, { name: `Board ${input.key}`, kind: 'editorial_board', ownerId: people.owner.id })
	const roles: [keyof BoardPeople, Role][] = [
		['moderator', 'moderator'],
		['reviewerA', 'reviewer'],
		['reviewerB', 'reviewer'],
	]
	for (const [who, role] of roles) await addMember(db, group.id, people[who].id, role)
	await db.update(groups).set({ identityMode: input.mode, publishedAudience: input.audience, approvalQuorum: 1, requiresApproval: true }).where(eq(groups.id, group.id))
	const result = importDocument({ bytes: readFileSync(manuscriptFile), filename: 'manuscript.txt' })
	if (!result.ok) throw new Error(result.error)
	const document = await createDocument(db, {
		groupId: group.id,
		title: input.title ?? `Manuscript ${input.key}`,
		sourceFormat: result.format,
		sourceName: 'manuscript.txt',
		wordCount: result.wordCount,
		createdBy: people.owner.id,
		state: documentToYUpdate(result.doc),
	})
	return { groupId: group.id, documentId: document.id, people }
}

/** A session cookie for `user`, as the log-in form would set it. */
export async function sessionCookieFor(db: Database, user: User): Promise<string> {
	const token = randomToken()
	await createSession(db, { userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 86_400_000) })
	return (await sessionCookie.serialize(token)).split(';')[0]!
}

/** Everything data: URLs in `text` hold, decoded (percent-encoded or base64), so downloads offered inline are checked too. */
export function decodedDataUrls(text: string): string {
	const out: string[] = []
	for (const match of text.matchAll(/data:([^"'\s>]*?)(;base64)?,([^"'\s>]*)/g)) {
		const payload = match[3]!.replace(/&amp;/g, '&')
		try {
			out.push(match[2] ? Buffer.from(decodeURIComponent(payload), 'base64').toString('utf8') : decodeURIComponent(payload))
		} catch {
			out.push(payload)
		}
	}
	return out.join('\n')
}

/** What a raw /collab socket received: every frame's bytes (latin1, so ASCII needles match), and how it closed. */
export interface RecordedSocket {
	frames: Buffer[]
	closed: { code: number; reason: string } | null
	refused: number | null
	text(): string
	close(): void
}

/**
 * A socket on /collab/:documentId that asks for everything (Scholion's
 * messages too, sync step 1 from an empty document, every awareness state)
 * and records the frames exactly as they arrive, without interpreting them.
 */
export function recordCollab(baseUrl: string, documentId: string, cookie: string | null): Promise<RecordedSocket> {
	const headers: Record<string, string> = { Origin: new URL(baseUrl).origin }
	if (cookie) headers.Cookie = cookie
	const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/collab/${documentId}?scholion=1`, { headers })
	const recorded: RecordedSocket = {
		frames: [],
		closed: null,
		refused: null,
		text() {
			return Buffer.concat(recorded.frames).toString('latin1')
		},
		close() {
			if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate()
		},
	}
	return new Promise((resolve) => {
		socket.on('message', (data: Buffer) => recorded.frames.push(Buffer.from(data)))
		socket.on('unexpected-response', (_request, response) => {
			recorded.refused = response.statusCode ?? 0
			// The refusal's body is bytes sent to this viewer too.
			response.on('data', (chunk: Buffer) => recorded.frames.push(Buffer.from(chunk)))
			response.on('end', () => resolve(recorded))
		})
		socket.on('error', () => resolve(recorded))
		socket.on('close', (code, reason) => {
			recorded.closed = { code, reason: reason.toString() }
			resolve(recorded)
		})
		socket.on('open', () => {
			const doc = new Y.Doc()
			const step1 = encoding.createEncoder()
			encoding.writeVarUint(step1, 0)
			syncProtocol.writeSyncStep1(step1, doc)
			socket.send(encoding.toUint8Array(step1))
			const query = encoding.createEncoder()
			encoding.writeVarUint(query, 3)
			socket.send(encoding.toUint8Array(query))
			resolve(recorded)
		})
	})
}
