// What a notification did, as the console and the HTTP API show it (built by
// the subscribers domain from its notify jobs: server/subscribers/outbox.ts).
import type { SubscriberKind } from '../db/constants';

/** One channel's part of a delivery report. */
export interface ChannelDelivery {
  channel: SubscriberKind;
  /** Subscribers the notification was expanded to so far. */
  recipients: number;
  /** Accepted by the mail server, the webhook receiver or the chat platform. */
  accepted: number;
  /** Given up on, with the reasons below. */
  failed: number;
  /** Still to send (waiting, retrying or in flight). */
  queued: number;
  lastSentAt: Date | null;
}

/** The proof that a notification went out: what the console and the HTTP API show for an update. */
export interface DeliveryReport {
  queuedAt: Date;
  /** False while the worker is still turning subscribers into deliveries. */
  expanded: boolean;
  /** Set when what it announced went to the trash: nothing more is sent. */
  droppedAt: Date | null;
  channels: ChannelDelivery[];
  /** Why deliveries failed, most common first (addresses masked where the server quoted them). */
  failures: { reason: string; count: number }[];
  /** Nothing left to send: expanded (or dropped) and no delivery queued. */
  finished: boolean;
}
