import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { Connection, framed } from './connection.ts'

// Broadcasts are framed once and the same bytes written to every socket: a
// stock WebSocket client must read them exactly as if ws had framed each.

let server: WebSocketServer
let connection: Promise<Connection>

beforeAll(async () => {
	server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
	await new Promise<void>((resolve) => server.once('listening', () => resolve()))
	connection = new Promise((resolve) =>
		server.once('connection', (socket) =>
			resolve(new Connection(socket, { id: 'u', name: 'U', color: '#000' }, 'token', 'group', 'reviewer', { id: 'u', name: 'U', color: '#000' }, true, false, { messagesPerSecond: 100, messageBurst: 100 })),
		),
	)
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('a pre-framed message', () => {
	test('reaches a stock client intact, in order with ordinary sends, at every length encoding', async () => {
		const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
		const received: Buffer[] = []
		client.on('message', (data: Buffer) => received.push(data))
		await new Promise((resolve) => client.once('open', resolve))
		const sender = await connection
		// The shared frame goes to the TCP socket itself, not through ws's framing.
		const tcp = (sender.socket as unknown as { _socket: { write: (chunk: Buffer) => boolean } })._socket
		const direct: Buffer[] = []
		const write = tcp.write.bind(tcp)
		tcp.write = (chunk: Buffer) => {
			direct.push(chunk)
			return write(chunk)
		}
		// 7-bit, 16-bit and 64-bit payload lengths (RFC 6455 §5.2), around each boundary.
		const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]
		const payloads = sizes.map((size, i) => Uint8Array.from({ length: size }, (_, k) => (k * 31 + i) % 251))
		for (const [i, payload] of payloads.entries()) {
			sender.sendFramed(framed(payload))
			sender.send(Uint8Array.of(0xee, i))
		}
		const until = Date.now() + 5000
		while (received.length < payloads.length * 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
		expect(received).toHaveLength(payloads.length * 2)
		expect(direct.filter((chunk) => chunk[0] === 0x82).length).toBeGreaterThanOrEqual(payloads.length)
		for (const [i, payload] of payloads.entries()) {
			expect(Buffer.compare(received[2 * i]!, Buffer.from(payload)), `payload of ${sizes[i]} bytes`).toBe(0)
			expect([...received[2 * i + 1]!]).toEqual([0xee, i])
		}
		client.close()
	})
})
