/**
 * The upload of POST /api/migrations: multipart/form-data, what a browser's FormData sends (the
 * console's wizard) and `curl -F` too; no base64 inflation of 32 MB of files. Each file part's field
 * name is the router's name (the admin's label for one router) and its file name says which of the
 * router's files it is. Read as a stream with busboy: the limits stop the reading as soon as they
 * are crossed, and nothing is kept but the bytes of the accepted parts, in memory, until the whole
 * upload is checked (nothing is stored from a refused upload).
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import { ApiError } from "../api/http-responses.js";

/** The migration wizard's limits: up to four routers, 32 MB (MiB) combined. */
export const maxRouters = 4;
export const maxUploadBytes = 32 * 1024 * 1024;

export const configurationFileName = "Microsoft.Crm.Tools.EmailAgent.xml";
export const systemStateFileName = "Microsoft.Crm.Tools.EmailAgent.SystemState.xml";
/** Holds the key that decrypts the router's stored passwords: refused, credentials are never imported. */
export const encryptionKeyFileName = "EncryptionKey.xml";

export interface RouterFiles {
  router: string;
  configuration: Buffer;
  systemState?: Buffer;
}

const routerName = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const bad = (message: string, field = "(body)") => new ApiError(400, "BadRequest", message, field);

/** Reads the multipart body, or throws a 400 that says which limit or part is at fault. */
export async function readRouterUpload(contentType: string | null, body: ReadableStream<Uint8Array> | null): Promise<RouterFiles[]> {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new ApiError(415, "UnsupportedMediaType", `Send the router files as multipart/form-data: one file part per file, named after its router (for example -F "hq=@${configurationFileName}").`);
  }
  if (!body) throw bad("The upload has no files: send each router's configuration file.");
  const routers = new Map<string, Partial<RouterFiles>>();
  let total = 0;
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { fileSize: maxUploadBytes + 1, files: maxRouters * 2 + 1, fields: 0, parts: maxRouters * 2 + 1 } });
  } catch {
    throw bad("The multipart/form-data body has no boundary.");
  }
  const input = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: ApiError) => {
      input.unpipe(parser);
      input.destroy();
      parser.removeAllListeners();
      reject(error);
    };
    parser.on("file", (field, stream, info) => {
      const fileName = (info.filename ?? "").split(/[\\/]/).pop() ?? "";
      if (!routerName.test(field)) return refuse(bad(`The part named '${field.slice(0, 80)}' is not a router name: 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.`, field.slice(0, 80)));
      if (!routers.has(field) && routers.size >= maxRouters) return refuse(bad(`At most ${maxRouters} routers per migration: '${field}' is a fifth. Start another migration for the others.`, field));
      const files = routers.get(field) ?? {};
      routers.set(field, files);
      const kind = fileName.toLowerCase() === configurationFileName.toLowerCase() ? "configuration" : fileName.toLowerCase() === systemStateFileName.toLowerCase() ? "systemState" : undefined;
      if (fileName.toLowerCase() === encryptionKeyFileName.toLowerCase()) {
        return refuse(bad(`${encryptionKeyFileName} of router '${field}' is refused: it holds the key to the router's stored passwords, and credentials are never imported (app-only auth replaces them). Leave it out.`, field));
      }
      if (!kind) return refuse(bad(`'${fileName.slice(0, 120)}' of router '${field}' is not a file this migration reads: send ${configurationFileName} and, optionally, ${systemStateFileName}.`, field));
      if (files[kind]) return refuse(bad(`Router '${field}' has two files named ${fileName}.`, field));
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxUploadBytes) return refuse(bad(`The upload is over ${maxUploadBytes / 1024 / 1024} MB (${maxUploadBytes} bytes) combined: send fewer or smaller files.`));
        chunks.push(chunk);
      });
      stream.on("end", () => (files[kind] = Buffer.concat(chunks)));
    });
    parser.on("field", (field) => refuse(bad(`'${field.slice(0, 80)}' is a form field; send only files, named after their router.`, field.slice(0, 80))));
    parser.on("partsLimit", () => refuse(bad(`Too many parts: at most ${maxRouters} routers with two files each.`)));
    parser.on("filesLimit", () => refuse(bad(`Too many files: at most ${maxRouters} routers with two files each.`)));
    parser.on("fieldsLimit", () => refuse(bad("Send only files, named after their router.")));
    parser.on("error", () => refuse(bad("The multipart/form-data body is malformed.")));
    parser.on("close", () => resolve());
    input.on("error", () => refuse(bad("The upload was interrupted.")));
    input.pipe(parser);
  });
  if (routers.size === 0) throw bad("The upload has no files: send each router's configuration file.");
  return [...routers].map(([router, files]) => {
    if (!files.configuration) throw bad(`Router '${router}' has no ${configurationFileName}: every router needs its configuration file.`, router);
    return { router, configuration: files.configuration, ...(files.systemState ? { systemState: files.systemState } : {}) };
  });
}
