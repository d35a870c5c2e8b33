export { hashToken, randomToken } from '#server/session-cookie.ts'
