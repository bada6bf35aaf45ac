/**
 * Text too large for a table property (64 KiB, 32K UTF-16 characters) goes to Blob Storage on the
 * same account, whole. The entity keeps a reference instead; nothing is truncated.
 */
import type { ContainerClient } from "@azure/storage-blob";
import { blobContainers } from "../config/names.js";
import type { StorageAccount } from "./storage-account.js";

/** Characters kept inline; below Table Storage's 32,768-character string limit with a margin. */
export const maxInlineTextLength = 30_000;

export class LargeTextStore {
  private readonly container: ContainerClient;

  constructor(storage: StorageAccount) {
    this.container = storage.container(blobContainers.largeText);
  }

  /** Writes the text under `name` (idempotent: the same name always holds the same text). */
  async put(name: string, text: string): Promise<void> {
    const data = Buffer.from(text, "utf8");
    await this.container.getBlockBlobClient(name).upload(data, data.length, {
      blobHTTPHeaders: { blobContentType: "text/plain; charset=utf-8" },
    });
  }

  async get(name: string): Promise<string> {
    const buffer = await this.container.getBlockBlobClient(name).downloadToBuffer();
    return buffer.toString("utf8");
  }
}

/**
 * Stores each field inline when short enough, else in a blob named `<prefix>/<field>`; returns the
 * entity properties: `<field>` for inline text, `<field>Blob` for a blob reference.
 */
export async function storeTextFields(store: LargeTextStore, prefix: string, fields: Record<string, string>): Promise<Record<string, string>> {
  const properties: Record<string, string> = {};
  await Promise.all(
    Object.entries(fields).map(async ([field, text]) => {
      if (text.length <= maxInlineTextLength) {
        properties[field] = text;
      } else {
        const name = `${prefix}/${field}`;
        await store.put(name, text);
        properties[`${field}Blob`] = name;
      }
    }),
  );
  return properties;
}

/** Reads back a field written by storeTextFields. */
export async function loadTextField(store: LargeTextStore, entity: Record<string, unknown>, field: string): Promise<string> {
  const blob = entity[`${field}Blob`];
  if (typeof blob === "string" && blob) return store.get(blob);
  const inline = entity[field];
  return typeof inline === "string" ? inline : "";
}
