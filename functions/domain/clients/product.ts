/** The product catalogue, as invoice lines read it (a line with a productId takes what it omits from the product). */
export interface ProductRecord {
  id: string;
  name: string;
  unitPrice: string;
  currency: string;
  taxRate: string;
  unit?: string;
}

export interface ProductCatalog {
  getProduct(tenantId: string, id: string): Promise<ProductRecord | null>;
}
