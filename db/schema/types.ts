import { customType } from 'drizzle-orm/pg-core'

/**
 * PostgreSQL bytea as a Uint8Array. node-postgres hands back a Buffer and
 * PGlite a Uint8Array; both are Uint8Arrays, so callers see one type.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
	dataType() {
		return 'bytea'
	},
	toDriver(value) {
		return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
	},
	fromDriver(value) {
		return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
	},
})
