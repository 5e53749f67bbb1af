import { auditListSchema } from '../../../shared/admin.ts';
import { listAudit } from '../../audit/service.ts';
import { adminProcedure, router } from '../../trpc.ts';

export const adminAuditRouter = router({
  list: adminProcedure.input(auditListSchema).query(({ ctx, input }) => listAudit(ctx.em, input)),
});
