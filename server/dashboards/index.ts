/**
 * The dashboards for instructors and editors (owners and moderators:
 * `dashboard.view`): who took part and how, where annotations cluster,
 * moderation throughput and time to decision, and recent activity. Every
 * figure counts shared work only: drafts are their authors' alone.
 */
export { participation } from './participation.ts'
export { participationColumns, type ParticipationColumn, type ParticipationRow, type SortDirection, type DensityBin, type DensityStrip, type ModerationWeek, type ModerationThroughput, type ActivityItem } from '#app/components/dashboards/types.ts'
export { densityStrip, defaultBinCount } from './density.ts'
export { moderationThroughput, median, weekStart } from './throughput.ts'
export { activityFeed } from './feed.ts'
export { countSharedByDocument } from '#db/queries/dashboards.ts'
