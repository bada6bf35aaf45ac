/**
 * An API request that has to ask Exchange (mapping a folder, Track now) and could not: the request
 * changed nothing, and the answer says what Exchange said (its code, never mail content).
 */
import { GraphRequestError, TokenRequestError } from "../graph/graph-errors.js";
import { ApiError } from "./http-responses.js";

export async function askingExchange<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof GraphRequestError || error instanceof TokenRequestError)) throw error;
    const busy = error.status === 429 || error.status >= 500 || error.status === 0;
    throw new ApiError(busy ? 503 : 502, "ExchangeUnavailable", `Exchange Online could not answer the request (${error.code}); nothing was changed. ${busy ? "Try again in a moment." : "Check the mailbox's alerts and its profile's credentials and permissions."}`);
  }
}
