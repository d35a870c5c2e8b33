/**
 * The bridge from routes to server/notifications: what the inbox, the
 * settings page and the outbox page need besides context.notifications.
 */
export { emailCadences, notificationKinds, type Preference } from '#server/notifications/preferences.ts'
export { kindTitles, type InboxItem } from '#server/notifications/messages.ts'
