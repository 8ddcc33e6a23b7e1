// Everyone who follows the page: email subscriptions with double opt-in
// (subscriptions.ts), webhooks (webhooks.ts), chat channels (chat.ts), the durable outbox and its notify
// jobs (outbox.ts), and the worker that delivers them, once each, across
// crashes and mail server outages (delivery.ts).
export { mailTransport, startDeliveryWorker } from './delivery';
export { redactEmails } from './redact';
export { acceptedCounts, deleteJobs, deliveryReport, dropJobs, outboxCounts, queueNotification, recentJobs, retryNow, setShowsDeliveryCounts, setShowsFollowerCount, showsDeliveryCounts, showsFollowerCount, unsentRows } from './outbox';
export { confirmSubscriber, deleteSubscriber, followedComponents, followerCount, liftSuppression, linkSecret, listSubscribers, subscriberName, channelName, listSuppressions, maskEmail, maskedAddresses, setFollowedComponents, setSubscriberLocale, staleUnconfirmed, subscribeEmail, subscriberCounts, subscriberFromLink, subscriberLink, suppressionCount } from './subscriptions';
export { sealStoredSecrets, signatureHeader, subscribeWebhook, type WebhookSubscription } from './webhooks';
export { checkChatUrl, removeChatChannel, subscribeChat, type ChatSubscribeResult } from './chat';
