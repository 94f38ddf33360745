// dcmjs ships no typings; the fixtures use its writer only.
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => {
        dict: Record<string, { vr: string; Value: unknown[] }>;
        write(): ArrayBuffer;
      };
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, { vr: string; Value: unknown[] }>;
      };
    };
  };
  export default dcmjs;
}
