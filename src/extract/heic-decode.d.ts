// heic-decode (ISC; libheif compiled to WebAssembly, LGPL-3.0) ships no types.
declare module 'heic-decode' {
  interface Decoded { width: number; height: number; data: Uint8ClampedArray }
  interface Lazy { width: number; height: number; decode(): Promise<Decoded> }
  interface HeicDecode {
    (o: { buffer: Buffer | Uint8Array }): Promise<Decoded>;
    /** Every image, dimensions first, pixels on decode(); dispose() frees them. */
    all(o: { buffer: Buffer | Uint8Array }): Promise<Lazy[] & { dispose(): void }>;
  }
  const decode: HeicDecode;
  export default decode;
}
