/** A unique key (`phone:<digits>` or `email:<address>`) held by a customer id. */
export interface Reservation {
  readonly key: string;
  readonly owner: string;
}
