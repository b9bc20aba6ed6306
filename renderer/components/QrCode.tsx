import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { RECEIPT_QR_PREFIX, receiptQrText } from '../../sync/bridge/receipt-content';

/** Reads a reference number from typed text or a scanned receipt code (`SP:ABCD-EFGH-1`). */
export function referenceFromScan(text: string): string {
  const trimmed = text.trim().toUpperCase();
  return trimmed.startsWith(RECEIPT_QR_PREFIX) ? trimmed.slice(RECEIPT_QR_PREFIX.length) : trimmed;
}

/**
 * The reference as a QR code, drawn by `qrcode` as SVG and shown as an image (the CSP allows
 * data: images, and no markup is injected into the page).
 */
export function QrCode({
  value,
  label,
  size = 200,
}: {
  value: string;
  label: string;
  size?: number;
}) {
  const [source, setSource] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    QRCode.toString(receiptQrText(value), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      .then((svg) => {
        if (live) setSource(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      })
      .catch(() => setSource(undefined));
    return () => {
      live = false;
    };
  }, [value]);
  if (!source) return null;
  return <img className="qr" src={source} width={size} height={size} alt={label} data-qr={value} />;
}
