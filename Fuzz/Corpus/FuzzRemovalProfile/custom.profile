name: RemovePAS
description: Removes PAS
selector: product:PAS
