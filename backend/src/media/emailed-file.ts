/** A file attached to an emailed reply, as the inbound reader hands it over (plain data: it crosses from a worker thread). */
export interface EmailedFile {
  name: string;
  contentType: string;
  content: Uint8Array;
}
